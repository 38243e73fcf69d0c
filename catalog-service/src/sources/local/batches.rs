//! A scan's reading and writing: files read in parallel on blocking
//! threads, their songs written in batches as they come.

use std::sync::atomic::Ordering;

use common::confine::Roots;
use rayon::prelude::*;
use sqlx::PgPool;
use tokio::{sync::mpsc, task::JoinSet};

use super::{
    first::Load,
    progress::{Counters, ScanMetrics},
    reader,
    tags::FoundFile,
};
use crate::{
    domain::{NewSong, scan::ScanProblem},
    store::{bulk, write},
};

/// Songs written per statement.
const BATCH: usize = 1000;
/// Files read by one reader before it hands their songs over: handing
/// over each one woke the receiving task 20,000 times a scan.
const HANDOVER: usize = 32;
/// What a reader hands over: per file, its song (with a warning when its
/// tags were damaged) or why it could not be read.
type Read = Vec<Result<(NewSong, Option<ScanProblem>), ScanProblem>>;
/// Batches written at once. Tag reading is several times faster than the
/// database's inserts, so the writers set the pace; with three, one
/// batch's round trips and commit wait overlap the others' work (two
/// reached about 12,000 files/s on the benchmark library, three about
/// 14,000, four no more).
const WRITERS: usize = 3;

/// Where a scan's batches go and what they count.
pub struct Batches<'a> {
    pub pool: &'a PgPool,
    pub metrics: &'a ScanMetrics,
    pub counters: &'a Counters,
    pub load: Load,
}

impl Batches<'_> {
    /// Reads `files` in parallel on blocking threads and stores them in
    /// batches as they come; answers the files that failed.
    pub async fn read_and_store(
        &self,
        files: Vec<FoundFile>,
        confine: &Roots,
    ) -> anyhow::Result<Vec<ScanProblem>> {
        let (sender, mut receiver) = mpsc::channel::<Read>(BATCH * 4 / HANDOVER);
        let confine = confine.clone();
        let reader = tokio::task::spawn_blocking(move || {
            files.par_chunks(HANDOVER).for_each_with(sender, |sender, files| {
                let read = files
                    .iter()
                    .map(|file| reader::read_for_scan(file, &confine))
                    .collect();
                // The receiver only goes away when storing failed; the scan ends anyway.
                let _ = sender.blocking_send(read);
            });
        });
        let mut batch = Vec::with_capacity(BATCH);
        let mut problems = Vec::new();
        let mut writing = JoinSet::new();
        while let Some(read) = receiver.recv().await {
            for result in read {
                self.take(result, &mut batch, &mut problems);
                if batch.len() >= BATCH {
                    if writing.len() >= WRITERS {
                        self.batch_written(&mut writing).await?;
                    }
                    let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
                    writing.spawn(write_batch(self.pool.clone(), full, self.load));
                }
            }
        }
        writing.spawn(write_batch(self.pool.clone(), batch, self.load));
        while !writing.is_empty() {
            self.batch_written(&mut writing).await?;
        }
        reader.await?;
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
