//! The wire format of the admin routes: scan errors and Internet sources.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::domain::{scan, source::InternetSource};

/// A snapshot of a scan, as `GET scans/current` shows it.
#[derive(Debug, Serialize, ToSchema)]
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

impl From<&scan::ScanProgress> for ScanProgress {
    fn from(progress: &scan::ScanProgress) -> Self {
        Self {
            id: progress.id,
            trigger: progress.trigger.clone(),
            state: progress.state.clone(),
            started_at: progress.started_at,
            finished_at: progress.finished_at,
            seen: progress.seen,
            done: progress.done,
            skipped: progress.skipped,
            failed: progress.failed,
            removed: progress.removed,
            files_per_second: progress.files_per_second,
            error: progress.error.clone(),
        }
    }
}

/// A file or folder a scan could not read, or read only in part.
#[derive(Debug, Serialize, ToSchema)]
pub struct ScanError {
    pub id: i64,
    pub path: String,
    /// `unreadable`, `symlink_loop`, `non_utf8_name`, `unsupported_file`,
    /// `outside_music_folders` or `damaged_tags`.
    pub kind: String,
    /// `error`: the file is not listed; `warning`: it is listed, but part
    /// of it could not be read.
    pub severity: String,
    pub message: String,
    pub occurred_at: DateTime<Utc>,
}

impl From<&scan::ScanError> for ScanError {
    fn from(error: &scan::ScanError) -> Self {
        Self {
            id: error.id,
            path: error.path.clone(),
            kind: error.kind.clone(),
            severity: error.severity.clone(),
            message: error.message.clone(),
            occurred_at: error.occurred_at,
        }
    }
}

/// An Internet source with its last refresh and error.
#[derive(Debug, Serialize, ToSchema)]
pub struct Source {
    pub id: Uuid,
    pub url: String,
    /// `audio`, `playlist` or `feed`.
    pub kind: String,
    pub title: Option<String>,
    pub image_url: Option<String>,
    pub last_refresh_at: Option<DateTime<Utc>>,
    /// Why the last refresh failed; cleared by a successful one.
    pub last_error: Option<String>,
    pub last_error_at: Option<DateTime<Utc>>,
    pub song_count: i32,
    pub added_at: DateTime<Utc>,
}

impl From<&InternetSource> for Source {
    fn from(source: &InternetSource) -> Self {
        Self {
            id: source.id,
            url: source.url.clone(),
            kind: source.kind.clone(),
            title: source.title.clone(),
            image_url: source.image_url.clone(),
            last_refresh_at: source.last_refresh_at,
            last_error: source.last_error.clone(),
            last_error_at: source.last_error_at,
            song_count: source.song_count,
            added_at: source.added_at,
        }
    }
}
