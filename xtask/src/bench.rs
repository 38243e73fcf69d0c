//! `cargo xtask bench <what>`: each benchmark measures Tonearm against a
//! named peer in the same run and prints the figures and ratios. They use
//! the same dependencies as `up` and `test` (reused or started privately).

use std::process::Command;

use crate::{Result, deps, paths, process, tools};

const USAGE: &str = "usage: cargo xtask bench <catalog|stream|events|gateway|web>";

pub fn run(args: &[String]) -> Result {
    let what = args.first().map(String::as_str).ok_or(USAGE)?;
    if !matches!(what, "catalog" | "stream" | "events" | "gateway" | "web") {
        return Err(USAGE.into());
    }
    let deps = deps::provision()?;
    let env = deps.endpoints.env();
    let mut command = match what {
        "stream" => stream()?,
        other => return Err(format!("the {other} benchmark is not wired into xtask yet")),
    };
    command
        .current_dir(paths::root())
        .env("CARGO_TARGET_DIR", paths::target())
        .envs(env);
    process::run(&format!("the {what} benchmark"), &mut command)
}

/// stream-service against nginx serving the same files, loaded with wrk.
fn stream() -> Result<Command> {
    for (program, package) in [
        ("nginx", "nginx-light"),
        ("wrk", "wrk"),
        ("ffmpeg", "ffmpeg"),
        ("curl", "curl"),
    ] {
        tools::debian_program(program, package, "the stream benchmark")?;
    }
    let mut command = Command::new("bash");
    command.arg(paths::root().join("bench").join("stream").join("run.sh"));
    Ok(command)
}
