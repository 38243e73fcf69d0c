//! Polaris on the same library, when `--polaris BIN` names a binary built
//! from its public source: started headless with a fresh data folder (its
//! first scan) and started again on that folder (a rescan of the unchanged
//! library; Polaris scans at every start). Its figure is its own: the
//! "Collection scan took N seconds" line it logs.

use std::{
    net::TcpListener,
    path::Path,
    process::{Command, Stdio},
    time::{Duration, Instant},
};

use anyhow::{Context as _, bail};

use crate::cpu;

/// Polaris's figures on the 20,000-file libraries when no binary is given
/// (first scan, seconds, lowest and highest of several runs on a quiet
/// two-core machine); scaled by the number of files.
pub const STORED_WITH_OGG: (f64, f64) = (3.05, 3.44);
pub const STORED_WITHOUT_OGG: (f64, f64) = (0.68, 0.85);
pub const STORED_FILES: f64 = 20_000.0;
/// Its unchanged rescan (it reads every file again).
pub const STORED_RESCAN_SECS: f64 = 3.1;

/// One scan: Polaris's own time and the CPU its process used.
#[derive(Clone, Copy, Debug)]
pub struct Figure {
    pub secs: f64,
    pub cpu: f64,
}

/// The first scan of `library` into an empty data folder, then the scan at
/// the next start (nothing changed).
pub fn first_and_rescan(binary: &Path, library: &Path) -> anyhow::Result<(Figure, Figure)> {
    let dir = tempfile::TempDir::new()?;
    let config = dir.path().join("polaris.toml");
    std::fs::write(
        &config,
        format!(
            "[[mount_dirs]]\nsource = {}\nname = \"bench\"\n",
            serde_json::to_string(&library.to_string_lossy())?
        ),
    )?;
    let first = run(binary, dir.path(), &config, "first")?;
    let rescan = run(binary, dir.path(), &config, "rescan")?;
    Ok((first, rescan))
}

fn run(binary: &Path, dir: &Path, config: &Path, label: &str) -> anyhow::Result<Figure> {
    let log = dir.join(format!("{label}.log"));
    let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let mut child = Command::new(binary)
        .arg("-f")
        .arg("-c")
        .arg(config)
        .arg("--data")
        .arg(dir.join("data"))
        .arg("--cache")
        .arg(dir.join("cache"))
        .arg("--log")
        .arg(&log)
        .arg("--pid")
        .arg(dir.join("polaris.pid"))
        .args(["--log-level", "info", "--bind-address", "127.0.0.1", "-p"])
        .arg(port.to_string())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .with_context(|| format!("starting {}", binary.display()))?;
    let figure = wait_for_scan(&log, child.id());
    let _ = child.kill();
    let _ = child.wait();
    figure
}

/// Waits (up to ten minutes) for the log line that ends a scan.
fn wait_for_scan(log: &Path, pid: u32) -> anyhow::Result<Figure> {
    let deadline = Instant::now() + Duration::from_secs(600);
    while Instant::now() < deadline {
        let text = std::fs::read_to_string(log).unwrap_or_default();
        if let Some(secs) = text.lines().find_map(scan_seconds) {
            let cpu = cpu::process_seconds(pid).unwrap_or(0.0);
            return Ok(Figure { secs, cpu });
        }
        if text.contains("Error while updating index") {
            bail!("Polaris failed to scan: see {}", log.display());
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    bail!(
        "Polaris did not finish its scan within ten minutes ({})",
        log.display()
    )
}

/// The seconds of a "Collection scan took N seconds" line.
fn scan_seconds(line: &str) -> Option<f64> {
    let rest = line.split_once("Collection scan took ")?.1;
    rest.split_whitespace().next()?.parse().ok()
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_scan_line_gives_its_seconds() {
        let line = "10:00:00 [INFO] Collection scan took 3.214 seconds";
        assert_eq!(super::scan_seconds(line), Some(3.214));
        assert_eq!(super::scan_seconds("Beginning collection scan"), None);
    }
}
