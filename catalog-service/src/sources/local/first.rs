//! How a scan loads what it read: a first scan (no local song known yet)
//! copies its songs in, and when it brings at least as many songs as the
//! catalog holds, builds the sort and search indexes once at its end
//! ([`crate::store::bulk`]); later scans upsert.

use common::pg_lock;
use sqlx::PgPool;

use super::scanner::{SCAN_LOCK, Scanner};
use crate::store::bulk;

/// Below this many files, dropping and building two dozen indexes costs
/// more than maintaining them row by row.
const DEFER_MIN_FILES: usize = 1_000;

/// How a scan writes its songs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Load {
    /// `INSERT ... ON CONFLICT`: some of the songs may be known.
    Upsert,
    /// `COPY`: every song is new; `deferred` when the indexes are built at the end.
    Copy { deferred: bool },
}

impl Load {
    /// Chooses the load of a scan that found no known local file
    /// (`first`) or some, with `files` files to read; defers the indexes
    /// when that pays.
    pub async fn prepare(pool: &PgPool, first: bool, files: usize) -> anyhow::Result<Self> {
        if !first || files == 0 {
            return Ok(Self::Upsert);
        }
        let deferred = files >= DEFER_MIN_FILES
            && bulk::song_count(pool).await? <= files as i64
            && bulk::defer_indexes(pool).await? > 0;
        Ok(Self::Copy { deferred })
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
