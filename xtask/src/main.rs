//! Developer commands for Tonearm.
//!
//! - `cargo xtask up [--music DIR] [--release] [--replicas N]`: the whole system on localhost.
//! - `cargo xtask test`: everything CI checks.
//! - `cargo xtask bench <catalog|stream|events|gateway|subsonic|web>`: benchmarks.
//!
//! xtask uses only the standard library (and `ctrlc`), so it builds in
//! seconds on a fresh clone before anything else is compiled.

mod admin;
mod bench;
mod broker;
mod cleanup;
mod demo;
mod demo_server;
mod demo_sources;
mod deploy_check;
mod deps;
mod http;
mod paths;
mod process;
mod replicas;
mod scale_out;
mod supervise;
mod system;
mod test;
mod tools;
mod up;
mod web;

use std::process::ExitCode;

type Result<T = ()> = std::result::Result<T, String>;

const USAGE: &str = "usage: cargo xtask <command>

commands:
  up [--music DIR] [--release] [--reset-admin] [--replicas N] [--restart | --stop-on-crash]
                                 start the whole system on localhost (demo library without --music);
                                 --reset-admin recreates the admin account with the printed password;
                                 --replicas N runs N instances of every service;
                                 a service that dies is restarted with a growing delay (--restart,
                                 the default) or stops everything (--stop-on-crash)
  test                           run everything CI checks (fmt, clippy, Rust tests, web tests)
  check-deploy                   validate docker-compose.yml and deploy/kubernetes, and each
                                 service's --check-config over their environments
  bench <catalog|stream|events|gateway|subsonic|web>
                                 run a benchmark against its named peer";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("up") => up::run(&args[1..]),
        Some("test") => test::run(&args[1..]),
        Some("check-deploy") => deploy_check::run(),
        Some("bench") => bench::run(&args[1..]),
        Some("-h" | "--help" | "help") => {
            println!("{USAGE}");
            Ok(())
        }
        _ => Err(USAGE.to_owned()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}
