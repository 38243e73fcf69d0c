//! How a scan loads what it read: a first scan (no local song known yet)
//! copies its songs in, and when it brings at least as many songs as the
//! catalog holds, builds the sort and search indexes once at its end
//! ([`crate::store::bulk`]); later scans upsert.
//!
//! The choice is made while the walk runs: as soon as it has seen enough
//! files, the indexes are dropped on the database's side while the walk
//! goes on, instead of after it.

use std::{
    sync::atomic::{AtomicU64, Ordering},
    time::Duration,
};

use sqlx::PgPool;

use crate::store::bulk;

/// Below this many files, dropping and building two dozen indexes costs
/// more than maintaining them row by row.
const DEFER_MIN_FILES: u64 = 1_000;
/// How often the walk's count is looked at while it runs.
const WALK_POLL: Duration = Duration::from_millis(5);

/// How a scan writes its songs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Load {
    /// `INSERT ... ON CONFLICT`: some of the songs may be known.
    Upsert,
    /// `COPY`: every song is new; `deferred` when the indexes are built at the end.
    Copy { deferred: bool },
}

impl Load {
    /// Chooses the load of a scan that knew no local file (`first`) or
    /// some, while its walk counts the files it finds in `seen` (and
    /// `walked` says whether it is over). A first scan defers the indexes
    /// once the walk has seen at least [`DEFER_MIN_FILES`] files and as
    /// many as the catalog holds songs; a smaller one keeps them.
    pub async fn choose_while_walking(
        pool: &PgPool,
        first: bool,
        seen: &AtomicU64,
        walked: impl Fn() -> bool,
    ) -> anyhow::Result<Self> {
        if !first {
            return Ok(Self::Upsert);
        }
        let songs = u64::try_from(bulk::song_count(pool).await?).unwrap_or(0);
        let enough = songs.max(DEFER_MIN_FILES);
        let deferred = loop {
            // Over before the count is read: the count is then final.
            let over = walked();
            if seen.load(Ordering::Relaxed) >= enough {
                break bulk::defer_indexes(pool).await? > 0;
            }
            if over {
                break false;
            }
            tokio::time::sleep(WALK_POLL).await;
        };
        Ok(Self::Copy { deferred })
    }

    /// Whether the indexes are built at the end of this load.
    pub fn deferred(self) -> bool {
        self == Self::Copy { deferred: true }
    }
}
