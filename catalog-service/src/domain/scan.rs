//! Scans of the music folders: what is known of each file, what went
//! wrong, and how a scan is going or how it ended.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use uuid::Uuid;

/// What the catalog knows of a local file, to tell whether it changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownFile {
    /// -1 when unknown (never equal to a file's size).
    pub size: i64,
    pub modified_at: DateTime<Utc>,
    pub path: String,
}

/// Known local files by song id.
pub type KnownFiles = HashMap<Uuid, KnownFile>;

/// How bad a scan problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Severity {
    /// The file or folder is left out of the library.
    #[default]
    Error,
    /// The file is listed, but something in it could not be read (damaged
    /// tags read in part, the file name standing in for the title).
    Warning,
}

impl Severity {
    /// The name stored and shown (`error`, `warning`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Error => "error",
            Self::Warning => "warning",
        }
    }
}

/// A file or folder the scan could not use, or used in part.
#[derive(Debug, Clone)]
pub struct ScanProblem {
    pub path: String,
    /// `unreadable`, `symlink_loop`, `non_utf8_name`, `unsupported_file`,
    /// `outside_music_folders` or `damaged_tags`.
    pub kind: &'static str,
    pub message: String,
    pub severity: Severity,
}

/// A recorded scan problem.
#[derive(Debug, Clone)]
pub struct ScanError {
    pub id: i64,
    pub path: String,
    pub kind: String,
    pub severity: String,
    pub message: String,
    pub occurred_at: DateTime<Utc>,
}

/// How a scan ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScanOutcome {
    Finished {
        at: DateTime<Utc>,
    },
    /// `reason` is what clients are told, never the internal error.
    Failed {
        at: DateTime<Utc>,
        reason: String,
    },
}

impl ScanOutcome {
    pub fn at(&self) -> DateTime<Utc> {
        match self {
            Self::Finished { at } | Self::Failed { at, .. } => *at,
        }
    }
}

/// The counts of a scan so far.
#[derive(Debug, Clone, Copy, Default)]
pub struct ScanCounts {
    pub seen: u64,
    pub done: u64,
    pub skipped: u64,
    pub failed: u64,
    pub removed: u64,
}

/// A snapshot of a scan: how far it got, and how it ended.
#[derive(Debug, Clone)]
pub struct ScanProgress {
    pub id: Uuid,
    /// `start`, `api` or `watch`.
    pub trigger: String,
    /// `running`, `finished` or `failed`.
    pub state: String,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    /// Audio files found so far.
    pub seen: u64,
    /// Files read and stored.
    pub done: u64,
    /// Unchanged files (same size and mtime), not opened.
    pub skipped: u64,
    /// Files that could not be read (see `scan-errors`).
    pub failed: u64,
    /// Songs removed because their file is gone.
    pub removed: u64,
    /// Files handled (done + skipped + failed) per second.
    pub files_per_second: f64,
    pub error: Option<String>,
}

impl ScanProgress {
    /// The progress of a scan started at `started_at` with `counts` so
    /// far, and its outcome once over.
    pub fn new(
        id: Uuid,
        trigger: &str,
        started_at: DateTime<Utc>,
        counts: ScanCounts,
        outcome: Option<&ScanOutcome>,
    ) -> Self {
        let until = outcome.map_or_else(Utc::now, ScanOutcome::at);
        let seconds = (until - started_at).num_microseconds().unwrap_or(0) as f64 / 1e6;
        let handled = counts.done + counts.skipped + counts.failed;
        let (state, error) = match outcome {
            None => ("running", None),
            Some(ScanOutcome::Finished { .. }) => ("finished", None),
            Some(ScanOutcome::Failed { reason, .. }) => ("failed", Some(reason.clone())),
        };
        Self {
            id,
            trigger: trigger.to_owned(),
            state: state.to_owned(),
            started_at,
            finished_at: outcome.map(ScanOutcome::at),
            seen: counts.seen,
            done: counts.done,
            skipped: counts.skipped,
            failed: counts.failed,
            removed: counts.removed,
            files_per_second: if seconds > 0.0 {
                handled as f64 / seconds
            } else {
                0.0
            },
            error,
        }
    }
}
