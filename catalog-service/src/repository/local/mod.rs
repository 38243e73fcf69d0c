//! The local repository: music folders scanned with lofty, kept current by
//! a file-system watcher.

pub mod incremental;
pub mod progress;
pub mod scanner;
pub mod store;
pub mod tags;
pub mod turns;
pub mod walk;
pub mod watcher;
mod windowed;

use futures_util::future::BoxFuture;

use super::Repository;
use scanner::Scanner;

/// Songs from the folders of `TONEARM_MUSIC_DIRS`.
pub struct LocalRepository {
    scanner: Scanner,
}

impl LocalRepository {
    pub fn new(scanner: Scanner) -> Self {
        Self { scanner }
    }
}

impl Repository for LocalRepository {
    fn name(&self) -> &'static str {
        "local"
    }

    /// Starts a full scan unless one is running.
    fn refresh(&self) -> BoxFuture<'_, anyhow::Result<()>> {
        Box::pin(async move {
            if self.scanner.start("refresh").await.is_err() {
                tracing::debug!("a scan is already running");
            }
            Ok(())
        })
    }
}
