//! A scan's walk, reads and writes at once: the walk hands each folder's
//! changed files to the readers as soon as it is past the folder, the
//! readers hand their songs to the batch writers, and the load (copy or
//! upsert) is chosen while the walk runs.

use std::{
    collections::HashSet,
    path::PathBuf,
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
};

use common::confine::Roots;
use sqlx::PgPool;
use uuid::Uuid;

use super::{
    batches::{Batches, LoadChoice, Readers},
    first::Load,
    progress::{Counters, ScanMetrics},
    tags::FoundFile,
    walk,
};
use crate::domain::scan::{KnownFiles, ScanProblem};

/// What a scan's walk and load leave for its end: folders that could not
/// be opened, the ids of the files found, the problems met, and the load
/// chosen.
pub struct Loaded {
    pub missing_roots: Vec<PathBuf>,
    pub seen_ids: HashSet<Uuid>,
    pub problems: Vec<ScanProblem>,
    pub load: Load,
}

/// What a scan walks, reads and writes with.
pub struct Pipeline<'a> {
    pub pool: &'a PgPool,
    /// The music folders to walk.
    pub roots: &'a [PathBuf],
    /// The music folders, canonical, that confine every file read.
    pub confine: &'a Roots,
    pub metrics: &'a ScanMetrics,
}

impl Pipeline<'_> {
    /// Walks the music folders and reads and stores the files that
    /// changed since the last scan (`known`), all at once.
    pub async fn walk_and_load(
        &self,
        known: Arc<KnownFiles>,
        counters: &Arc<Counters>,
    ) -> anyhow::Result<Loaded> {
        let first = known.is_empty();
        let walk_over = Arc::new(AtomicBool::new(false));
        let (readers, songs) = Readers::new(self.confine.clone());
        let walking = self.walk_changed(known, counters.clone(), walk_over.clone(), readers);
        let mut load = LoadChoice::new(self.choose_load(first, counters.clone(), walk_over));
        let batches = Batches {
            pool: self.pool,
            metrics: self.metrics,
            counters,
        };
        let stored = batches.store(songs, &mut load).await;
        let (walked, seen_ids) = walking.await?;
        let mut problems = walked.problems;
        problems.extend(stored?);
        Ok(Loaded {
            missing_roots: walked.missing_roots,
            seen_ids,
            problems,
            load: load.get().await?,
        })
    }

    /// Walks on a blocking thread, handing the changed files to `readers`.
    fn walk_changed(
        &self,
        known: Arc<KnownFiles>,
        counters: Arc<Counters>,
        walk_over: Arc<AtomicBool>,
        mut readers: Readers,
    ) -> tokio::task::JoinHandle<(walk::WalkEnd, HashSet<Uuid>)> {
        let roots = self.roots.to_vec();
        let confine: Roots = self.confine.clone();
        let metrics = self.metrics.clone();
        tokio::task::spawn_blocking(move || {
            let mut changed = ChangedFiles {
                known: &known,
                seen_ids: HashSet::new(),
                counters: &counters,
                metrics: &metrics,
            };
            // A scan that knows no file reads every one: no need to look first.
            let look = !known.is_empty();
            let end = walk::walk_each(&roots, &confine, &counters.seen, look, |files| {
                readers.read(changed.keep(files));
            });
            walk_over.store(true, Ordering::Release);
            readers.finish();
            (end, changed.seen_ids)
        })
    }

    /// Chooses the load while the walk counts files.
    fn choose_load(
        &self,
        first: bool,
        counters: Arc<Counters>,
        walk_over: Arc<AtomicBool>,
    ) -> tokio::task::JoinHandle<anyhow::Result<Load>> {
        let pool = self.pool.clone();
        tokio::spawn(async move {
            Load::choose_while_walking(&pool, first, &counters.seen, || walk_over.load(Ordering::Acquire))
                .await
        })
    }
}

/// The files of a walk worth reading: each once (music folders may
/// overlap), and only if it changed since the last scan.
struct ChangedFiles<'a> {
    known: &'a KnownFiles,
    seen_ids: HashSet<Uuid>,
    counters: &'a Counters,
    metrics: &'a ScanMetrics,
}

impl ChangedFiles<'_> {
    fn keep(&mut self, files: Vec<FoundFile>) -> Vec<FoundFile> {
        files.into_iter().filter(|file| self.is_changed(file)).collect()
    }

    fn is_changed(&mut self, file: &FoundFile) -> bool {
        // A file reached twice (overlapping music folders) is read once.
        if !self.seen_ids.insert(file.id) {
            return false;
        }
        let unchanged = self.known.get(&file.id).is_some_and(|known| {
            file.stat
                .is_some_and(|stat| known.size == stat.size && known.modified_at == stat.modified_at)
        });
        if unchanged {
            self.counters.skipped.fetch_add(1, Ordering::Relaxed);
            self.metrics.files_skipped.inc();
        }
        !unchanged
    }
}
