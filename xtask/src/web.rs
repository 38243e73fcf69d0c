//! The web UI in `web/`: dependencies installed with npm, built to
//! `web/dist` when its sources changed, tested with Vitest and, against a
//! running system, with the browser tests.

use std::{
    path::{Path, PathBuf},
    process::Command,
    time::SystemTime,
};

use crate::{Result, paths, process, tools};

pub fn dir() -> PathBuf {
    paths::root().join("web")
}

/// Whether the checkout has a web UI yet.
pub fn exists() -> bool {
    dir().join("package.json").is_file()
}

fn npm() -> Result<PathBuf> {
    tools::find("npm").ok_or_else(|| {
        "the web UI needs Node.js 20 or later with npm; install it with: sudo apt-get install -y nodejs npm".into()
    })
}

fn newest_mtime(path: &Path) -> Option<SystemTime> {
    let meta = std::fs::symlink_metadata(path).ok()?;
    if !meta.is_dir() {
        return meta.modified().ok();
    }
    std::fs::read_dir(path)
        .ok()?
        .filter_map(|entry| entry.ok())
        .filter(|entry| {
            !matches!(
                entry.file_name().to_str(),
                Some("node_modules" | "dist" | ".vite")
            )
        })
        .filter_map(|entry| newest_mtime(&entry.path()))
        .max()
}

fn mtime(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|meta| meta.modified()).ok()
}

/// `npm ci` when `node_modules` is missing or older than the lock file.
pub fn install() -> Result {
    npm_ci("web", &dir())
}

/// Installs the independent Subsonic client the end-to-end tests drive
/// (`e2e/tests/subsonic-client`), when its lock file changed.
pub fn install_subsonic_client() -> Result {
    npm_ci(
        "the end-to-end Subsonic client test",
        &paths::root().join("e2e").join("tests").join("subsonic-client"),
    )
}

/// `npm ci` in `dir`, skipped when `node_modules` is newer than the lock.
fn npm_ci(what: &str, dir: &Path) -> Result {
    let installed = mtime(&dir.join("node_modules").join(".package-lock.json"));
    let locked = mtime(&dir.join("package-lock.json"));
    if installed.is_some() && installed >= locked {
        return Ok(());
    }
    process::run(
        &format!("npm ci ({what})"),
        Command::new(npm()?)
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(dir),
    )
}

/// Builds `web/dist` when any source is newer than the last build.
pub fn build_if_stale() -> Result {
    if !exists() {
        return Ok(());
    }
    install()?;
    let web = dir();
    let built = mtime(&web.join("dist").join("index.html"));
    if built.is_some() && built >= newest_mtime(&web) {
        return Ok(());
    }
    eprintln!("xtask: building the web UI");
    process::run(
        "npm run build (web)",
        Command::new(npm()?).args(["run", "build"]).current_dir(&web),
    )
}

/// `npm test`: svelte-check (strict TypeScript over every component, so a
/// changed API type breaks here), then Vitest.
pub fn unit_tests() -> Result {
    install()?;
    process::run(
        "web unit tests",
        Command::new(npm()?).arg("test").current_dir(dir()),
    )
}

/// `npm run e2e` against a running system.
pub fn e2e(base_url: &str, admin_password: &str) -> Result {
    tools::debian_program("chromium", "chromium", "the browser tests")?;
    process::run(
        "web browser tests",
        Command::new(npm()?)
            .args(["run", "e2e"])
            .env("TONEARM_E2E_URL", base_url)
            .env("TONEARM_E2E_ADMIN_USER", "admin")
            .env("TONEARM_E2E_ADMIN_PASSWORD", admin_password)
            .current_dir(dir()),
    )
}
