//! Finding the programs the system needs, installing the missing ones where
//! we can (Debian packages when running as root, tansu with cargo into the
//! cache), or saying exactly what to install.

use std::{
    path::{Path, PathBuf},
    process::Command,
    sync::atomic::{AtomicBool, Ordering},
};

use crate::{Result, paths, process};

/// The broker version development and tests run against.
pub const TANSU_VERSION: &str = "0.6.0";

/// Looks `name` up on `PATH`.
pub fn find(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| is_executable(candidate))
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt as _;
    path.metadata()
        .is_ok_and(|meta| meta.is_file() && meta.permissions().mode() & 0o111 != 0)
}

pub fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|line| line.starts_with("Uid:"))
                .map(|line| line.split_whitespace().nth(1) == Some("0"))
        })
        .unwrap_or(false)
}

static APT_UPDATED: AtomicBool = AtomicBool::new(false);

/// Installs Debian packages when running as root; otherwise explains.
pub fn apt_install(packages: &[&str], needed_for: &str) -> Result {
    let list = packages.join(" ");
    if !is_root() {
        return Err(format!(
            "{needed_for} needs {list}; install it with: sudo apt-get install -y {list}"
        ));
    }
    eprintln!("xtask: installing {list} (needed for {needed_for})");
    if !APT_UPDATED.swap(true, Ordering::SeqCst) {
        process::run("apt-get update", Command::new("apt-get").args(["update", "-qq"]))?;
    }
    process::run(
        &format!("apt-get install {list}"),
        Command::new("apt-get")
            .args(["install", "-y", "-qq", "--no-install-recommends"])
            .args(packages)
            .env("DEBIAN_FRONTEND", "noninteractive"),
    )
}

/// A program from a Debian package: found on `PATH` or installed.
pub fn debian_program(program: &str, package: &str, needed_for: &str) -> Result<PathBuf> {
    if let Some(found) = find(program) {
        return Ok(found);
    }
    apt_install(&[package], needed_for)?;
    find(program).ok_or_else(|| format!("{program} is still missing after installing {package}"))
}

/// A PostgreSQL server program (`initdb`, `pg_ctl`), which Debian keeps
/// under /usr/lib/postgresql/<version>/bin.
pub fn postgres_program(program: &str) -> Result<PathBuf> {
    let lookup = || {
        find(program).or_else(|| {
            let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
                .ok()?
                .filter_map(|entry| entry.ok().map(|entry| entry.path().join("bin").join(program)))
                .filter(|candidate| is_executable(candidate))
                .collect();
            versions.sort();
            versions.pop()
        })
    };
    if let Some(found) = lookup() {
        return Ok(found);
    }
    apt_install(&["postgresql"], "a private PostgreSQL server")?;
    lookup().ok_or_else(|| format!("{program} is still missing after installing postgresql"))
}

/// The tansu broker: on `PATH`, in the cache, or installed into the cache
/// with `cargo install` (about ten minutes the first time on two cores).
pub fn tansu() -> Result<PathBuf> {
    if let Some(found) = find("tansu") {
        return Ok(found);
    }
    let cached = paths::tools_bin().join("tansu");
    if is_executable(&cached) {
        return Ok(cached);
    }
    eprintln!(
        "xtask: installing the tansu {TANSU_VERSION} Kafka-compatible broker into {} \
         (once; about ten minutes on two cores)",
        paths::tools_bin().display()
    );
    let root = paths::cache().join("tools");
    process::run(
        "cargo install tansu",
        Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
            .args([
                "install",
                &format!("tansu@{TANSU_VERSION}"),
                "--locked",
                "--features",
                "libsql",
            ])
            .arg("--root")
            .arg(&root)
            .env("CARGO_TARGET_DIR", paths::cache().join("tansu-build")),
    )?;
    Ok(cached)
}
