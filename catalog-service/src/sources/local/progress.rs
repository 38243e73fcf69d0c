//! Scan progress, readable at any time while a scan runs, and mirrored in
//! Prometheus.

use std::sync::atomic::{AtomicU64, Ordering};

use prometheus::{IntCounter, IntGauge, Opts, Registry};

use crate::domain::scan::ScanCounts;
pub use crate::domain::scan::ScanProgress;

/// Live counters of one scan.
#[derive(Debug, Default)]
pub struct Counters {
    pub seen: AtomicU64,
    pub done: AtomicU64,
    pub skipped: AtomicU64,
    pub failed: AtomicU64,
    pub removed: AtomicU64,
}

impl Counters {
    /// The counts so far.
    pub fn counts(&self) -> ScanCounts {
        let load = |counter: &AtomicU64| counter.load(Ordering::Relaxed);
        ScanCounts {
            seen: load(&self.seen),
            done: load(&self.done),
            skipped: load(&self.skipped),
            failed: load(&self.failed),
            removed: load(&self.removed),
        }
    }
}

/// Scan metrics in `/metrics`.
#[derive(Clone)]
pub struct ScanMetrics {
    pub files_read: IntCounter,
    pub files_failed: IntCounter,
    pub files_skipped: IntCounter,
    pub scans: IntCounter,
    pub running: IntGauge,
}

impl ScanMetrics {
    pub fn register(registry: &Registry) -> anyhow::Result<Self> {
        let counter = |name: &str, help: &str| -> anyhow::Result<IntCounter> {
            let counter = IntCounter::with_opts(Opts::new(name, help))?;
            registry.register(Box::new(counter.clone()))?;
            Ok(counter)
        };
        let running = IntGauge::with_opts(Opts::new("catalog_scan_running", "1 while a library scan runs"))?;
        registry.register(Box::new(running.clone()))?;
        Ok(Self {
            files_read: counter(
                "catalog_scan_files_read_total",
                "Audio files read and stored by scans",
            )?,
            files_failed: counter(
                "catalog_scan_files_failed_total",
                "Audio files scans could not read",
            )?,
            files_skipped: counter(
                "catalog_scan_files_skipped_total",
                "Unchanged files scans skipped",
            )?,
            scans: counter("catalog_scans_total", "Library scans run")?,
            running,
        })
    }
}
