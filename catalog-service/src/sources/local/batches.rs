//! A scan's reading and writing: files read in parallel on rayon's pool
//! while the walk goes on, their songs written in batches as they come.

use std::{
    panic::{AssertUnwindSafe, catch_unwind},
    sync::atomic::Ordering,
};

use common::confine::{OpenedFile, Roots};
use sqlx::PgPool;
use tokio::{
    sync::mpsc,
    task::{JoinHandle, JoinSet},
};

use super::{
    first::Load,
    progress::{Counters, ScanMetrics},
    reader,
    tags::FoundFile,
    windowed,
};
use crate::{
    domain::{
        NewSong,
        scan::{ScanProblem, Severity},
    },
    store::{bulk, write},
};

/// Songs written per statement.
const BATCH: usize = 1000;
/// Files read by one reader before it hands their songs over: handing
/// over each one woke the receiving task 20,000 times a scan.
const HANDOVER: usize = 32;
/// What a reader hands over: per file, its song (with a warning when its
/// tags were damaged) or why it could not be read.
pub type Read = Vec<Result<(NewSong, Option<ScanProblem>), ScanProblem>>;
/// Batches written at once. Tag reading is several times faster than the
/// database's inserts, so the writers set the pace; with three, one
/// batch's round trips and commit wait overlap the others' work (two
/// reached about 12,000 files/s on the benchmark library, three about
/// 14,000, four no more).
const WRITERS: usize = 3;

/// Where the files a walk finds go to be read: [`HANDOVER`] at a time to
/// rayon's pool, their songs to the [`Batches`] reading the other end.
pub struct Readers {
    sender: mpsc::Sender<Read>,
    confine: Roots,
    pending: Vec<FoundFile>,
}

impl Readers {
    /// Readers of files inside `confine`, and the songs they read.
    pub fn new(confine: Roots) -> (Self, mpsc::Receiver<Read>) {
        let (sender, receiver) = mpsc::channel::<Read>(BATCH * 4 / HANDOVER);
        let readers = Self {
            sender,
            confine,
            pending: Vec::with_capacity(HANDOVER),
        };
        (readers, receiver)
    }

    /// Queues `files` to be read (none once storing has failed).
    pub fn read(&mut self, files: Vec<FoundFile>) {
        if self.sender.is_closed() {
            return;
        }
        for file in files {
            self.pending.push(file);
            if self.pending.len() >= HANDOVER {
                self.hand_over();
            }
        }
    }

    /// Queues what is left; the songs' channel closes once every file is read.
    pub fn finish(mut self) {
        if !self.pending.is_empty() {
            self.hand_over();
        }
    }

    fn hand_over(&mut self) {
        let files = std::mem::replace(&mut self.pending, Vec::with_capacity(HANDOVER));
        let (sender, confine) = (self.sender.clone(), self.confine.clone());
        rayon::spawn(move || {
            let mut opener = confine.opener();
            let opened: Vec<_> = files
                .iter()
                .map(|file| reader::open_for_scan(file, &mut opener))
                .collect();
            drop(opener);
            // Files handed over together mostly share a folder, and were
            // copied or read together: when the first is in the page cache,
            // the others are taken to be too.
            let mut files_opened = opened.iter().flatten();
            let prefetch = |opened: &OpenedFile| windowed::prefetch_if_cold(&opened.file, opened.len);
            if files_opened.next().is_some_and(prefetch) {
                files_opened.for_each(|opened| {
                    prefetch(opened);
                });
            }
            let read = files
                .iter()
                .zip(opened)
                .map(|(file, opened)| opened.and_then(|opened| read_one(file, &opened)))
                .collect();
            // The receiver only goes away when storing failed; the scan ends anyway.
            let _ = sender.blocking_send(read);
        });
    }
}

/// Reads an opened file; a reader that panics on it fails that file, not
/// the scan.
fn read_one(file: &FoundFile, opened: &OpenedFile) -> Result<(NewSong, Option<ScanProblem>), ScanProblem> {
    catch_unwind(AssertUnwindSafe(|| reader::read_opened_for_scan(file, opened))).unwrap_or_else(|_| {
        Err(ScanProblem {
            severity: Severity::Error,
            path: file.path.clone(),
            kind: "unsupported_file",
            message: "the tag reader failed on this file".into(),
        })
    })
}

/// The load of a scan, chosen while its walk runs; known from the first
/// batch written on.
pub struct LoadChoice {
    choosing: Option<JoinHandle<anyhow::Result<Load>>>,
    chosen: Option<Load>,
}

impl LoadChoice {
    pub fn new(choosing: JoinHandle<anyhow::Result<Load>>) -> Self {
        Self {
            choosing: Some(choosing),
            chosen: None,
        }
    }

    /// The load, waiting for the choice the first time.
    pub async fn get(&mut self) -> anyhow::Result<Load> {
        if let Some(choosing) = self.choosing.take() {
            self.chosen = Some(choosing.await??);
        }
        self.chosen
            .ok_or_else(|| anyhow::anyhow!("the load of the scan was not chosen"))
    }
}

/// Where a scan's batches go and what they count.
pub struct Batches<'a> {
    pub pool: &'a PgPool,
    pub metrics: &'a ScanMetrics,
    pub counters: &'a Counters,
}

impl Batches<'_> {
    /// Stores the songs of `songs` in batches as they come, with the load
    /// `load` gives; answers the files that failed.
    pub async fn store(
        &self,
        mut songs: mpsc::Receiver<Read>,
        load: &mut LoadChoice,
    ) -> anyhow::Result<Vec<ScanProblem>> {
        let mut batch = Vec::with_capacity(BATCH);
        let mut problems = Vec::new();
        let mut writing = JoinSet::new();
        while let Some(read) = songs.recv().await {
            for result in read {
                self.take(result, &mut batch, &mut problems);
                if batch.len() >= BATCH {
                    if writing.len() >= WRITERS {
                        self.batch_written(&mut writing).await?;
                    }
                    let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
                    writing.spawn(write_batch(self.pool.clone(), full, load.get().await?));
                }
            }
        }
        writing.spawn(write_batch(self.pool.clone(), batch, load.get().await?));
        while !writing.is_empty() {
            self.batch_written(&mut writing).await?;
        }
        Ok(problems)
    }

    /// Adds a file's song to `batch`, or counts its failure.
    fn take(
        &self,
        result: Result<(NewSong, Option<ScanProblem>), ScanProblem>,
        batch: &mut Vec<NewSong>,
        problems: &mut Vec<ScanProblem>,
    ) {
        match result {
            Ok((song, warning)) => {
                batch.push(song);
                problems.extend(warning);
            }
            Err(problem) => {
                self.counters.failed.fetch_add(1, Ordering::Relaxed);
                self.metrics.files_failed.inc();
                problems.push(problem);
            }
        }
    }

    /// Waits for one batch write and counts its songs as done.
    async fn batch_written(&self, writing: &mut JoinSet<anyhow::Result<u64>>) -> anyhow::Result<()> {
        if let Some(written) = writing.join_next().await {
            let songs = written??;
            self.counters.done.fetch_add(songs, Ordering::Relaxed);
            self.metrics.files_read.inc_by(songs);
        }
        Ok(())
    }
}

/// Stores one batch; answers how many songs it held.
async fn write_batch(pool: PgPool, batch: Vec<NewSong>, load: Load) -> anyhow::Result<u64> {
    match load {
        Load::Upsert => write::upsert_songs(&pool, &batch).await?,
        Load::Copy { .. } => bulk::copy_songs(&pool, &batch).await?,
    }
    Ok(batch.len() as u64)
}
