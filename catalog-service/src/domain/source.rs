//! Internet sources an admin added: a direct audio URL, a playlist or a feed.

use chrono::{DateTime, Utc};
use uuid::Uuid;

/// Conditional-request validators of the last successful fetch.
#[derive(Debug, Clone, Default)]
pub struct Validators {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

/// An Internet source and how its last refresh went.
#[derive(Debug, Clone)]
pub struct InternetSource {
    pub id: Uuid,
    pub url: String,
    /// `audio`, `playlist` or `feed`.
    pub kind: String,
    pub title: Option<String>,
    pub image_url: Option<String>,
    pub validators: Validators,
    pub last_refresh_at: Option<DateTime<Utc>>,
    /// Why the last refresh failed; cleared by a successful one.
    pub last_error: Option<String>,
    pub last_error_at: Option<DateTime<Utc>>,
    pub song_count: i32,
    pub added_at: DateTime<Utc>,
}
