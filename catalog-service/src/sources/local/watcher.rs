//! Live changes: a file-system watcher on the music folders. Events are
//! collected until the folders are quiet for the debounce time, then the
//! paths they name are looked at again ([`Scanner::recheck`]), so a copy of
//! a whole album is one update, not hundreds.

use std::{collections::HashSet, path::PathBuf, time::Duration};

use notify::{EventKind, EventKindMask, RecursiveMode, Watcher as _};
use tokio::sync::mpsc;

use super::scanner::Scanner;

/// Starts watching `scanner.roots()`; runs until the runtime stops. A folder
/// that cannot be watched is logged and skipped.
pub fn start(scanner: Scanner, debounce: Duration) -> anyhow::Result<()> {
    let (sender, receiver) = mpsc::unbounded_channel::<PathBuf>();
    let handler = move |event: notify::Result<notify::Event>| match event {
        Ok(event) if relevant(&event.kind) => {
            for path in event.paths {
                // The receiver is gone only when the service stops.
                let _ = sender.send(path);
            }
        }
        Ok(_) => {}
        Err(error) => tracing::warn!(%error, "file-system watcher error"),
    };
    // Only changes: with opens and closes too, every file a scan reads or
    // a listener streams would wake the watcher (inotify would queue an
    // event for each, which the kernel now drops at the source).
    let config = notify::Config::default().with_event_kinds(EventKindMask::CORE);
    let mut watcher = notify::RecommendedWatcher::new(handler, config)?;
    for root in scanner.roots() {
        if let Err(error) = watcher.watch(root, RecursiveMode::Recursive) {
            tracing::warn!(root = %root.display(), %error, "cannot watch a music folder");
        }
    }
    tokio::spawn(async move {
        // Owning the watcher here keeps it alive as long as the loop runs.
        let _watcher = watcher;
        debounce_loop(receiver, debounce, scanner).await;
    });
    Ok(())
}

fn relevant(kind: &EventKind) -> bool {
    matches!(
        kind,
        EventKind::Create(_) | EventKind::Modify(_) | EventKind::Remove(_)
    )
}

async fn debounce_loop(mut receiver: mpsc::UnboundedReceiver<PathBuf>, quiet: Duration, scanner: Scanner) {
    while let Some(first) = receiver.recv().await {
        let mut paths = HashSet::from([first]);
        loop {
            match tokio::time::timeout(quiet, receiver.recv()).await {
                Ok(Some(path)) => {
                    paths.insert(path);
                }
                Ok(None) => return,
                Err(_) => break,
            }
        }
        let paths: Vec<PathBuf> = paths.into_iter().collect();
        tracing::debug!(count = paths.len(), "applying file-system changes");
        if let Err(error) = scanner.recheck(&paths).await {
            tracing::warn!(
                error = format!("{error:#}"),
                "applying file-system changes failed"
            );
        }
    }
}
