//! Scans across replicas. Every replica serves the same library, so only
//! one writes what the music folders hold at a time: a scan, and every
//! change applied without one ([`Scanner::recheck`]), holds the PostgreSQL
//! advisory lock [`SCAN_LOCK`] of the catalog's schema (freed by PostgreSQL
//! if the replica dies). A scan's progress is kept in the `scans` table,
//! so any replica can show the running scan.

use common::pg_lock::{self, PgLockGuard};

pub use super::scanner::SCAN_LOCK;
use super::{progress::ScanProgress, scanner::Scanner};
use crate::store::{bulk, scans as store};

impl Scanner {
    /// Waits for [`SCAN_LOCK`], held by a scan here or on another replica.
    pub async fn wait_for_lock(&self) -> Result<PgLockGuard, sqlx::Error> {
        loop {
            if let Some(lock) = pg_lock::try_lock(self.pool(), SCAN_LOCK).await? {
                return Ok(lock);
            }
            tokio::time::sleep(std::time::Duration::from_millis(250)).await;
        }
    }

    /// The running scan of any replica, or the last one: this replica's own
    /// while it scans (its counters are the freshest), otherwise the one
    /// started last in the `scans` table (updated every second while it
    /// runs), or this replica's last one while the database cannot answer.
    pub async fn current_anywhere(&self) -> Option<ScanProgress> {
        if self.is_running() {
            return self.current();
        }
        match store::latest_scan(self.pool()).await {
            Ok(Some(latest)) => Some(latest),
            Ok(None) => self.current(),
            Err(error) => {
                tracing::warn!(error = format!("{error:#}"), "reading the latest scan failed");
                self.current()
            }
        }
    }
}

impl Scanner {
    /// Builds the indexes a first scan that stopped half-way left deferred.
    /// Skipped while a scan runs (here or on another replica): it builds
    /// them before it reports done.
    pub async fn restore_deferred_indexes(&self) -> anyhow::Result<()> {
        // Nearly always nothing is listed: then the lock is not even asked for.
        if !bulk::any_deferred(self.pool()).await? {
            return Ok(());
        }
        let Some(lock) = pg_lock::try_lock(self.pool(), SCAN_LOCK).await? else {
            return Ok(());
        };
        let restored = bulk::restore_indexes(self.pool()).await;
        lock.release().await;
        restored
    }
}
