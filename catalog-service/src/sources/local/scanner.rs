//! The scan manager: at most one scan at a time, progress readable while
//! it runs, walking and tag reading off the async runtime, inserts batched.
//! "One at a time" holds across replicas (see [`super::turns`]).

use std::{
    path::PathBuf,
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, Ordering},
    },
};

use chrono::{DateTime, Utc};
use common::{confine::Roots, pg_lock};
use sqlx::PgPool;
use uuid::Uuid;

use super::{
    pipeline::{Loaded, Pipeline},
    progress::{Counters, ScanMetrics, ScanProgress},
};
use crate::{
    domain::scan::ScanOutcome,
    store::{bulk, changes::LibraryChanges, scans as store, write},
};

/// The advisory lock held by whoever writes what the music folders hold
/// (see [`super::turns`]).
pub const SCAN_LOCK: &str = "catalog:scan";

/// Why a scan did not start.
#[derive(Debug, thiserror::Error)]
pub enum NotStarted {
    /// Here or on another replica.
    #[error("a scan is already running")]
    AlreadyRunning,
    #[error("the scan lock could not be asked for")]
    Database(#[from] sqlx::Error),
}

/// Cloneable handle on the scanner of the music folders.
#[derive(Clone)]
pub struct Scanner {
    inner: Arc<Inner>,
}

struct Inner {
    pool: PgPool,
    roots: Vec<PathBuf>,
    /// The music folders every file read must lie in.
    confine: Roots,
    running: AtomicBool,
    current: Mutex<Option<Run>>,
    metrics: ScanMetrics,
    /// Told when a scan ends, so lists kept from before it are not
    /// served once it reports done (the change notices follow anyway).
    changes: LibraryChanges,
}

/// The latest scan: its live counters and, once over, how it ended.
#[derive(Clone)]
struct Run {
    id: Uuid,
    trigger: String,
    started_at: DateTime<Utc>,
    counters: Arc<Counters>,
    end: Option<ScanOutcome>,
}

impl Scanner {
    pub fn new(pool: PgPool, roots: Vec<PathBuf>, metrics: ScanMetrics, changes: LibraryChanges) -> Self {
        Self {
            inner: Arc::new(Inner {
                pool,
                confine: Roots::new(&roots),
                roots,
                running: AtomicBool::new(false),
                current: Mutex::new(None),
                metrics,
                changes,
            }),
        }
    }

    pub fn roots(&self) -> &[PathBuf] {
        &self.inner.roots
    }

    /// The music folders, canonical, that confine every file read.
    pub fn confine(&self) -> &Roots {
        &self.inner.confine
    }

    pub fn pool(&self) -> &PgPool {
        &self.inner.pool
    }

    /// Starts a full scan in the background; `trigger` says who asked.
    /// Refused while a scan runs here or on another replica.
    pub async fn start(&self, trigger: &str) -> Result<ScanProgress, NotStarted> {
        if self.inner.running.swap(true, Ordering::AcqRel) {
            return Err(NotStarted::AlreadyRunning);
        }
        let lock = match pg_lock::try_lock(self.pool(), SCAN_LOCK).await {
            Ok(Some(lock)) => lock,
            other => {
                self.inner.running.store(false, Ordering::Release);
                return Err(other.map_or_else(NotStarted::from, |_| NotStarted::AlreadyRunning));
            }
        };
        let run = Run {
            id: Uuid::now_v7(),
            trigger: trigger.to_owned(),
            started_at: Utc::now(),
            counters: Arc::new(Counters::default()),
            end: None,
        };
        self.set_current(Some(run.clone()));
        self.inner.metrics.running.set(1);
        let started = self.progress_of(&run);
        self.record(&started).await;
        let scanner = self.clone();
        tokio::spawn(async move {
            let reporter = scanner.report_while_running(run.clone());
            let outcome = scanner.run(&run).await;
            reporter.abort();
            let end = match outcome {
                Ok(()) => ScanOutcome::Finished { at: Utc::now() },
                Err(error) => {
                    tracing::error!(error = format!("{error:#}"), "library scan failed");
                    ScanOutcome::Failed {
                        at: Utc::now(),
                        reason: "the scan stopped on an internal error".to_owned(),
                    }
                }
            };
            let finished = Run {
                end: Some(end),
                ..run
            };
            scanner.record(&scanner.progress_of(&finished)).await;
            scanner.inner.changes.changed();
            lock.release().await;
            scanner.set_current(Some(finished));
            scanner.inner.metrics.running.set(0);
            scanner.inner.running.store(false, Ordering::Release);
        });
        Ok(started)
    }

    pub fn is_running(&self) -> bool {
        self.inner.running.load(Ordering::Acquire)
    }

    /// The running scan, or the last one since the service started, of this
    /// replica ([`Scanner::current_anywhere`] for any replica).
    pub fn current(&self) -> Option<ScanProgress> {
        let run = self.inner.current.lock().ok()?.clone()?;
        Some(self.progress_of(&run))
    }

    /// Keeps the scan's progress in the `scans` table, where every replica
    /// reads it.
    async fn record(&self, progress: &ScanProgress) {
        if let Err(error) = store::record_scan(self.pool(), progress).await {
            tracing::warn!(error = format!("{error:#}"), "recording the scan failed");
        }
    }

    /// Records the progress of `run` every second until aborted.
    fn report_while_running(&self, run: Run) -> tokio::task::JoinHandle<()> {
        let scanner = self.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                scanner.record(&scanner.progress_of(&run)).await;
            }
        })
    }

    fn progress_of(&self, run: &Run) -> ScanProgress {
        ScanProgress::new(
            run.id,
            &run.trigger,
            run.started_at,
            run.counters.counts(),
            run.end.as_ref(),
        )
    }

    fn set_current(&self, run: Option<Run>) {
        if let Ok(mut current) = self.inner.current.lock() {
            *current = run;
        }
    }

    async fn run(&self, run: &Run) -> anyhow::Result<()> {
        let counters = run.counters.clone();
        let known = Arc::new(store::known_files(self.pool()).await?);
        // Indexes a stopped first scan left deferred are built before anything else.
        bulk::restore_indexes(self.pool()).await?;
        let started = std::time::Instant::now();
        let pipeline = Pipeline {
            pool: self.pool(),
            roots: self.roots(),
            confine: self.confine(),
            metrics: &self.inner.metrics,
        };
        let loaded = pipeline.walk_and_load(known.clone(), &counters).await;
        let loaded_in = started.elapsed();
        // Built whether or not the load failed: the library stays searchable.
        bulk::restore_indexes(self.pool()).await?;
        let Loaded {
            missing_roots,
            seen_ids,
            problems,
            load,
        } = loaded?;
        if load.deferred() {
            tracing::info!(
                walked_and_loaded_ms = loaded_in.as_millis() as u64,
                indexes_built_ms = (started.elapsed() - loaded_in).as_millis() as u64,
                "a first scan loaded its songs, then built their indexes"
            );
        }
        let gone: Vec<Uuid> = known
            .iter()
            .filter(|(id, _)| !seen_ids.contains(*id))
            .filter(|(_, known)| {
                !missing_roots
                    .iter()
                    .any(|root| std::path::Path::new(&known.path).starts_with(root))
            })
            .map(|(id, _)| *id)
            .collect();
        let removed = write::delete_songs(self.pool(), &gone).await?;
        counters.removed.fetch_add(removed, Ordering::Relaxed);
        write::prune(self.pool()).await?;
        store::replace_scan_errors(self.pool(), &problems).await?;
        self.inner.metrics.scans.inc();
        Ok(())
    }
}
