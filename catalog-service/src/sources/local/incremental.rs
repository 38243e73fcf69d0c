//! Applying a few known changes without a full scan: the watcher and the
//! stream service's "file missing" notice name the paths to look at again.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use common::confine::Roots;

use super::{
    reader,
    scanner::Scanner,
    tags::{FoundFile, is_audio},
    walk::{self, ScanProblem},
};
use crate::{
    domain::NewSong,
    store::{scans as store, write},
};

/// What looking at the paths again found.
#[derive(Debug, Default)]
struct Outcome {
    songs: Vec<NewSong>,
    ok_paths: Vec<String>,
    problems: Vec<ScanProblem>,
    gone: Vec<String>,
}

impl Scanner {
    /// Re-reads files that exist, walks folders that appeared and removes
    /// songs whose file or folder is gone.
    /// Waits for any scan (here or on another replica) to end first.
    pub async fn recheck(&self, paths: &[PathBuf]) -> anyhow::Result<()> {
        let lock = self.wait_for_lock().await.context("taking the scan lock")?;
        let applied = self.apply(paths).await;
        lock.release().await;
        applied
    }

    async fn apply(&self, paths: &[PathBuf]) -> anyhow::Result<()> {
        let paths = paths.to_vec();
        let roots = self.confine().clone();
        let outcome = tokio::task::spawn_blocking(move || look(&paths, &roots)).await?;
        let pool = self.pool();
        write::upsert_songs(pool, &outcome.songs).await?;
        store::clear_problems(pool, &outcome.ok_paths).await?;
        if !outcome.problems.is_empty() {
            store::record_problems(pool, &outcome.problems).await?;
        }
        if !outcome.gone.is_empty() {
            let ids = store::local_songs_under(pool, &outcome.gone).await?;
            write::delete_songs(pool, &ids).await?;
        }
        write::prune(pool).await?;
        Ok(())
    }
}

fn look(paths: &[PathBuf], roots: &Roots) -> Outcome {
    let mut outcome = Outcome::default();
    for path in paths {
        let Ok(metadata) = std::fs::metadata(path) else {
            outcome.gone.push(path.to_string_lossy().into_owned());
            continue;
        };
        if metadata.is_dir() {
            let seen = std::sync::atomic::AtomicU64::new(0);
            let walked = walk::walk(std::slice::from_ref(path), roots, &seen);
            outcome.problems.extend(walked.problems);
            for file in walked.files {
                read_into(&mut outcome, &file, roots);
            }
        } else if is_audio(path) {
            let Some(text) = path.to_str() else { continue };
            let cover = path.parent().and_then(|dir| walk::folder_cover(dir, roots));
            let file = FoundFile::new(text.to_owned(), &metadata, cover);
            read_into(&mut outcome, &file, roots);
        } else if walk::cover_rank(path).is_some() {
            refresh_folder(&mut outcome, path.parent(), roots);
        }
    }
    outcome
}

/// A folder image changed: the songs of that folder are read again so they
/// point at it.
fn refresh_folder(outcome: &mut Outcome, dir: Option<&Path>, roots: &Roots) {
    let Some(dir) = dir else { return };
    let seen = std::sync::atomic::AtomicU64::new(0);
    let walked = walk::walk(&[dir.to_path_buf()], roots, &seen);
    for file in walked
        .files
        .iter()
        .filter(|file| Path::new(&file.path).parent() == Some(dir))
    {
        read_into(outcome, file, roots);
    }
}

fn read_into(outcome: &mut Outcome, file: &FoundFile, roots: &Roots) {
    match reader::read_for_scan(file, roots) {
        Ok((song, warning)) => {
            outcome.ok_paths.push(file.path.clone());
            outcome.songs.push(song);
            outcome.problems.extend(warning);
        }
        Err(problem) => outcome.problems.push(problem),
    }
}
