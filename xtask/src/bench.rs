//! `cargo xtask bench <what>`: each benchmark measures Tonearm against a
//! named peer in the same run and prints the ratio.

use crate::Result;

pub fn run(args: &[String]) -> Result {
    match args.first().map(String::as_str) {
        Some(other @ ("catalog" | "stream" | "events" | "gateway" | "web")) => {
            Err(format!("the {other} benchmark is not written yet"))
        }
        _ => Err("usage: cargo xtask bench <catalog|stream|events|gateway|web>".into()),
    }
}
