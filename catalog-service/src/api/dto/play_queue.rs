//! The play queue on the wire.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::Song;
use crate::domain::play_queue as domain;

/// The caller's saved queue (never saved: no songs, nothing current,
/// position 0, `changed_*` null).
#[derive(Debug, Serialize, ToSchema)]
pub struct PlayQueue {
    pub songs: Vec<Song>,
    pub current: Option<Uuid>,
    pub position_ms: i64,
    pub changed_at: Option<DateTime<Utc>>,
    /// The app that saved it.
    pub changed_by: Option<String>,
}

impl From<&domain::PlayQueue> for PlayQueue {
    fn from(queue: &domain::PlayQueue) -> Self {
        Self {
            songs: queue.songs.iter().map(Song::from).collect(),
            current: queue.current,
            position_ms: queue.position_ms,
            changed_at: queue.changed_at,
            changed_by: queue.changed_by.clone(),
        }
    }
}

/// The body of `PUT play-queue`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct SavePlayQueue {
    /// Song ids in order (at most 5000).
    pub songs: Vec<String>,
    /// One of `songs`, or null.
    pub current: Option<String>,
    /// Position in the current song, in milliseconds.
    pub position_ms: i64,
    /// The app saving it ("web", a Subsonic app's name); at most 100
    /// characters.
    pub client: Option<String>,
}
