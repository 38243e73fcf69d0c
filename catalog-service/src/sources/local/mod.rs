//! The music folders: scanned with lofty, kept current by a file-system
//! watcher.

mod batches;
mod damaged;
pub mod first;
pub mod incremental;
mod pipeline;
pub mod progress;
pub mod reader;
pub mod scanner;
pub mod tags;
pub mod turns;
pub mod walk;
pub mod watcher;
mod windowed;

use std::time::Duration;

use futures_util::future::BoxFuture;

use super::Source;
use scanner::Scanner;

/// Songs from the folders of `TONEARM_MUSIC_DIRS`.
pub struct LocalFolders {
    scanner: Scanner,
    /// Scan once the database is ready.
    scan_on_start: bool,
    /// Watch the folders, applying changes after this quiet time.
    watch: Option<Duration>,
}

impl LocalFolders {
    pub fn new(scanner: Scanner, scan_on_start: bool, watch: Option<Duration>) -> Self {
        Self {
            scanner,
            scan_on_start,
            watch,
        }
    }
}

impl Source for LocalFolders {
    fn name(&self) -> &'static str {
        "local"
    }

    /// Starts a full scan unless one is running (here or on another replica).
    fn import(&self) -> BoxFuture<'_, anyhow::Result<()>> {
        Box::pin(async move {
            if self.scanner.start("refresh").await.is_err() {
                tracing::debug!("a scan is already running");
            }
            Ok(())
        })
    }

    /// Watches the folders and starts the first scan, as configured.
    fn schedule(&self) -> BoxFuture<'_, anyhow::Result<()>> {
        Box::pin(async move {
            if let Some(debounce) = self.watch
                && let Err(error) = watcher::start(self.scanner.clone(), debounce)
            {
                tracing::warn!(%error, "the music folders are not watched");
            }
            if let Err(error) = self.scanner.restore_deferred_indexes().await {
                tracing::warn!(error = format!("{error:#}"), "building deferred indexes failed");
            }
            if self.scan_on_start && self.scanner.start("start").await.is_err() {
                tracing::debug!("a scan was already running at start, here or on another replica");
            }
            Ok(())
        })
    }
}
