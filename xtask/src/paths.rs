//! Where things live: the checkout, its private state in `.tonearm/`, and
//! the per-user cache that survives fresh clones (build output, tools).

use std::path::PathBuf;

/// The workspace root (the parent of `xtask/`). Read at run time from the
/// variable `cargo run` sets, so one xtask binary in a shared target folder
/// serves whichever checkout ran it.
pub fn root() -> PathBuf {
    let manifest = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    manifest.parent().map(PathBuf::from).unwrap_or(manifest)
}

/// Private state of this checkout: logs, private databases, demo library.
pub fn state() -> PathBuf {
    root().join(".tonearm")
}

pub fn logs() -> PathBuf {
    state().join("logs")
}

/// `$XDG_CACHE_HOME/tonearm` or `~/.cache/tonearm`.
pub fn cache() -> PathBuf {
    if let Some(dir) = std::env::var_os("XDG_CACHE_HOME") {
        return PathBuf::from(dir).join("tonearm");
    }
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_else(std::env::temp_dir);
    home.join(".cache").join("tonearm")
}

/// Cargo's build output: `CARGO_TARGET_DIR` when set, else in the cache,
/// so a fresh clone reuses earlier builds.
pub fn target() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| cache().join("target"))
}

/// Tools xtask installs itself (tansu).
pub fn tools_bin() -> PathBuf {
    cache().join("tools").join("bin")
}
