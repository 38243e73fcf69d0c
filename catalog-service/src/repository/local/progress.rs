//! Scan progress, readable at any time while a scan runs, and mirrored in
//! Prometheus.

use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{DateTime, Utc};
use prometheus::{IntCounter, IntGauge, Opts, Registry};
use serde::Serialize;
use uuid::Uuid;

/// Live counters of one scan.
#[derive(Debug, Default)]
pub struct Counters {
    pub seen: AtomicU64,
    pub done: AtomicU64,
    pub skipped: AtomicU64,
    pub failed: AtomicU64,
    pub removed: AtomicU64,
}

/// A snapshot of a scan, as `GET scans/current` shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ScanProgress {
    pub id: Uuid,
    /// `start`, `api` or `watch`.
    pub trigger: String,
    /// `running`, `finished` or `failed`.
    pub state: String,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    /// Audio files found so far.
    pub seen: u64,
    /// Files read and stored.
    pub done: u64,
    /// Unchanged files (same size and mtime), not opened.
    pub skipped: u64,
    /// Files that could not be read (see `scan-errors`).
    pub failed: u64,
    /// Songs removed because their file is gone.
    pub removed: u64,
    /// Files handled (done + skipped + failed) per second.
    pub files_per_second: f64,
    pub error: Option<String>,
}

impl ScanProgress {
    pub fn snapshot(
        id: Uuid,
        trigger: &str,
        started_at: DateTime<Utc>,
        counters: &Counters,
        end: Option<(DateTime<Utc>, &str, Option<String>)>,
    ) -> Self {
        let load = |counter: &AtomicU64| counter.load(Ordering::Relaxed);
        let (done, skipped, failed) = (
            load(&counters.done),
            load(&counters.skipped),
            load(&counters.failed),
        );
        let until = end.as_ref().map_or_else(Utc::now, |(at, _, _)| *at);
        let seconds = (until - started_at).num_microseconds().unwrap_or(0) as f64 / 1e6;
        let (finished_at, state, error) = match end {
            Some((at, state, error)) => (Some(at), state.to_owned(), error),
            None => (None, "running".to_owned(), None),
        };
        Self {
            id,
            trigger: trigger.to_owned(),
            state,
            started_at,
            finished_at,
            seen: load(&counters.seen),
            done,
            skipped,
            failed,
            removed: load(&counters.removed),
            files_per_second: if seconds > 0.0 {
                (done + skipped + failed) as f64 / seconds
            } else {
                0.0
            },
            error,
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
