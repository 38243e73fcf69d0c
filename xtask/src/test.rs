//! `cargo xtask test`: everything CI checks, against real dependencies.

use std::{
    process::Command,
    time::{Duration, Instant},
};

use crate::{Result, cleanup, deploy_check, deps, paths, process, scale_out, system::Build, tools, up, web};

fn cargo() -> Command {
    let mut command = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    command
        .current_dir(paths::root())
        .env("CARGO_TARGET_DIR", paths::target());
    command
}

struct Steps {
    passed: Vec<(String, Duration)>,
    failed: Vec<String>,
}

impl Steps {
    /// Runs a step, recording its time; later steps still run after a failure.
    fn run(&mut self, name: &str, step: impl FnOnce() -> Result) {
        eprintln!("\nxtask: ── {name}");
        let started = Instant::now();
        match step() {
            Ok(()) => self.passed.push((name.to_owned(), started.elapsed())),
            Err(error) => {
                eprintln!("xtask: {name}: {error}");
                self.failed.push(name.to_owned());
            }
        }
    }
}

pub fn run(args: &[String]) -> Result {
    if let Some(extra) = args.first() {
        return Err(format!("cargo xtask test takes no arguments (got {extra})"));
    }
    let started = Instant::now();
    let mut steps = Steps {
        passed: Vec::new(),
        failed: Vec::new(),
    };
    steps.run("cargo fmt --check", || {
        process::run("cargo fmt --check", cargo().args(["fmt", "--all", "--check"]))
    });
    // Tests generate audio with ffmpeg.
    tools::debian_program("ffmpeg", "ffmpeg", "the tests' generated audio files")?;
    let deps = deps::provision()?;
    if let Err(error) = cleanup::leftovers(&deps.endpoints) {
        // Leftovers cost space, not correctness: every test isolates itself.
        eprintln!("xtask: warning: could not clear what earlier test runs left: {error}");
    }
    let env = deps.endpoints.env();
    steps.run("cargo clippy", || {
        process::run(
            "cargo clippy",
            cargo().args(["clippy", "--workspace", "--all-targets", "--", "-D", "warnings"]),
        )
    });
    steps.run("cargo test", || {
        web::install_subsonic_client()?;
        process::run(
            "cargo test",
            cargo()
                .args(["test", "--workspace", "--no-fail-fast"])
                .envs(env.iter().cloned()),
        )
    });
    steps.run(
        "deploy files (compose, manifests, config drift)",
        deploy_check::run,
    );
    if web::exists() {
        steps.run("web unit tests", web::unit_tests);
    }
    steps.run("whole system (ready, browser tests, clean stop)", || {
        whole_system(&deps.endpoints)
    });
    steps.run(
        "scale-out (two of every service, a crash, browser tests on the second gateway)",
        || scale_out::run(&deps.endpoints),
    );
    drop(deps);
    eprintln!(
        "\nxtask: summary ({:.0} s in all)",
        started.elapsed().as_secs_f64()
    );
    for (name, took) in &steps.passed {
        eprintln!("  ok      {name} ({:.0} s)", took.as_secs_f64());
    }
    for name in &steps.failed {
        eprintln!("  FAILED  {name}");
    }
    println!("{} passed, {} failed", steps.passed.len(), steps.failed.len());
    if steps.failed.is_empty() {
        Ok(())
    } else {
        Err(format!("failed: {}", steps.failed.join(", ")))
    }
}

/// The whole system from its binaries on free ports, in its own schema, key
/// prefix and topic, with the demo library: every `/readyz` answers 200,
/// the browser tests pass against its gateway, and SIGTERM stops every
/// service with exit status 0.
fn whole_system(endpoints: &deps::Endpoints) -> Result {
    let stack = up::start_isolated_stack(endpoints, Build::AsTested)?;
    let mut system = stack.system;
    eprintln!("xtask: every service answers /readyz with 200");
    let browser = if web::exists() {
        let url = format!("http://127.0.0.1:{}", system.ports.gateway);
        web::e2e(&url, &stack.admin_password)
    } else {
        Ok(())
    };
    let unclean = system.stop();
    browser?;
    if unclean.is_empty() {
        Ok(())
    } else {
        Err(format!("services did not stop cleanly: {}", unclean.join("; ")))
    }
}
