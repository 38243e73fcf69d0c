//! The wire format of the admin routes: scan errors and Internet sources.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::domain::{scan, source::InternetSource};

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
