//! `cargo xtask bench <what>`: each benchmark measures Tonearm against a
//! named peer in the same run and prints the figures and ratios. They use
//! the same dependencies as `up` and `test` (reused or started privately).

use std::process::Command;

use crate::{Result, deps, paths, process, system::Build, tools, up};

const USAGE: &str = "usage: cargo xtask bench <catalog|stream|events|gateway|subsonic|web> [--force] \
                     (catalog: [--polaris BIN] [--rounds N] [--files N] [--songs N])";

/// The one-minute load average above which the stream, gateway and
/// catalog benchmarks refuse to measure: on two cores, other work would set the
/// figures (nginx alone varied twofold between runs at load 12).
const MAX_LOAD: f64 = 1.5;

pub fn run(args: &[String]) -> Result {
    let what = args.first().map(String::as_str).ok_or(USAGE)?;
    let force = args.iter().any(|arg| arg == "--force");
    if matches!(what, "stream" | "gateway" | "catalog") {
        check_load(force)?;
    }
    let steps = match what {
        "stream" => stream(force)?,
        "gateway" => gateway(&args[1..])?,
        "catalog" => catalog(&args[1..])?,
        "subsonic" => subsonic(&args[1..]),
        "web" => return web(),
        "events" => events(&args[1..]),
        _ => return Err(USAGE.into()),
    };
    let deps = deps::provision()?;
    for mut step in steps {
        step.current_dir(paths::root())
            .env("CARGO_TARGET_DIR", paths::target())
            .envs(deps.endpoints.env());
        process::run(&format!("the {what} benchmark"), &mut step)?;
    }
    Ok(())
}

/// Refuses (before anything is built) when the machine is busy, unless
/// `force`; the benchmark checks again just before it measures. Only the
/// load at the start counts: the benchmark itself keeps both cores busy,
/// so the load always rises during the run (it prints it at the end, for
/// information).
fn check_load(force: bool) -> Result {
    let load = std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|line| line.split_whitespace().next()?.parse::<f64>().ok());
    let Some(load) = load else {
        eprintln!("xtask: the load average could not be read; measuring anyway");
        return Ok(());
    };
    eprintln!("xtask: load average at the start: {load} (limit {MAX_LOAD})");
    if load <= MAX_LOAD {
        return Ok(());
    }
    if !force {
        return Err(format!(
            "the load average is {load} (above {MAX_LOAD}): other work on the machine would set the \
             figures; run the benchmark on a quiet machine, or add --force to label them as taken \
             on a loaded machine"
        ));
    }
    eprintln!("xtask: load average {load}: the figures will be labelled as taken on a loaded machine");
    Ok(())
}

fn cargo(args: &[&str]) -> Command {
    let mut command = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    command.args(args);
    command
}

/// stream-service against nginx serving the same files, and the gateway in
/// front of it against nginx as a reverse proxy in front of nginx, loaded
/// with wrk in interleaved rounds (see `bench/stream/run.sh`).
fn stream(force: bool) -> Result<Vec<Command>> {
    for (program, package) in [
        ("nginx", "nginx-light"),
        ("wrk", "wrk"),
        ("ffmpeg", "ffmpeg"),
        ("curl", "curl"),
        ("psql", "postgresql-client"),
    ] {
        tools::debian_program(program, package, "the stream benchmark")?;
    }
    let mut command = Command::new("bash");
    command.arg(paths::root().join("bench").join("stream").join("run.sh"));
    if force {
        command.arg("--force");
    }
    Ok(vec![command])
}

/// The live event path end to end against a bare producer and consumer on
/// the same broker, the fold against a bare read, 10,000 sockets' memory,
/// announcement and stats-change latency. Extra arguments go to the load
/// generator (`--clients`, `--connections`, `--brokers`, ...).
fn events(extra: &[String]) -> Vec<Command> {
    let build = cargo(&[
        "build",
        "--release",
        "-p",
        "events-service",
        "-p",
        "stats-consumer",
    ]);
    let mut load = cargo(&[
        "run",
        "--release",
        "--manifest-path",
        "bench/events/Cargo.toml",
        "--",
        "--bin-dir",
    ]);
    load.arg(paths::target().join("release")).args(extra);
    vec![build, load]
}

/// The same load straight to a service and through the release gateway,
/// with nginx as a reverse proxy for reference and the real stream-service
/// serving a real file (its song registered with psql). Extra arguments
/// (`--only streaming,service`, `--rounds N`) go to the benchmark.
fn gateway(extra: &[String]) -> Result<Vec<Command>> {
    tools::debian_program("nginx", "nginx-light", "the gateway benchmark's reference proxy")?;
    tools::debian_program(
        "psql",
        "postgresql-client",
        "the gateway benchmark's song registration",
    )?;
    let release = paths::target().join("release");
    let mut load = cargo(&[
        "run",
        "--release",
        "--manifest-path",
        "bench/gateway/Cargo.toml",
        "--",
    ]);
    load.arg(release.join("gateway"))
        .arg("--stream-service")
        .arg(release.join("stream-service"))
        .args(extra);
    let build = cargo(&["build", "--release", "-p", "gateway", "-p", "stream-service"]);
    Ok(vec![build, load])
}

/// Scans of generated libraries (first scans into a fresh schema, scans
/// into a used one, unchanged rescans) in interleaved rounds beside Polaris
/// (`--polaris BIN`, a binary built by hand from its public source;
/// without it, a stored reference), and queries on 100,000 songs. Extra
/// arguments (`--polaris BIN`, `--rounds N`, `--files N`, `--songs N`,
/// `--data DIR`, `--force`) go to the benchmark.
fn catalog(extra: &[String]) -> Result<Vec<Command>> {
    tools::debian_program("ffmpeg", "ffmpeg", "the catalog benchmark's generated library")?;
    let build = cargo(&[
        "build",
        "--release",
        "-p",
        "catalog-service",
        "--bin",
        "catalog-service",
        "--example",
        "catalog-bench",
    ]);
    let mut run = Command::new(
        paths::target()
            .join("release")
            .join("examples")
            .join("catalog-bench"),
    );
    run.args(extra);
    Ok(vec![build, run])
}

/// The OpenSubsonic API on 100,000 songs: `search3`, `getAlbumList2` and
/// `getArtists` p99 under 32 clients, and `stream` through `/rest` against
/// `/api/stream` in interleaved rounds. Extra arguments (`--songs N`,
/// `--clients N`, `--requests N`, `--rounds N`, `--stream-mib N`) go to the
/// benchmark.
fn subsonic(extra: &[String]) -> Vec<Command> {
    let build = cargo(&[
        "build",
        "--release",
        "-p",
        "catalog-service",
        "-p",
        "stream-service",
        "-p",
        "gateway",
        "--bins",
    ]);
    let bench = cargo(&[
        "build",
        "--release",
        "-p",
        "tonearm-e2e",
        "--example",
        "subsonic-bench",
    ]);
    let mut run = Command::new(
        paths::target()
            .join("release")
            .join("examples")
            .join("subsonic-bench"),
    );
    run.args(extra);
    vec![build, bench, run]
}

/// The web budgets (first-load JavaScript, library interactive time, long
/// tasks while scrolling 100,000 songs) in Chromium against a whole system.
fn web() -> Result {
    tools::debian_program("chromium", "chromium", "the web benchmark")?;
    crate::web::install()?;
    let deps = deps::provision()?;
    let stack = up::start_isolated_stack(&deps.endpoints, Build::Debug)?;
    let url = format!("http://127.0.0.1:{}", stack.system.ports.gateway);
    process::run(
        "the web benchmark",
        Command::new("npm")
            .args(["run", "bench"])
            .current_dir(crate::web::dir())
            .env("TONEARM_E2E_URL", url)
            .env("TONEARM_E2E_ADMIN_USER", "admin")
            .env("TONEARM_E2E_ADMIN_PASSWORD", &stack.admin_password),
    )
}
