//! The play queue a user saved, so it follows them to another device.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{
    Song,
    user::{FieldError, UserId},
};

/// Most songs in a saved queue.
pub const MAX_QUEUE_SONGS: usize = 5_000;

/// A queue to save, checked: `current` is one of `songs`.
#[derive(Debug, Clone)]
pub struct NewPlayQueue {
    pub user: UserId,
    pub songs: Vec<Uuid>,
    pub current: Option<Uuid>,
    pub position_ms: i64,
    /// The app that saved it ("web", a Subsonic app's `c`).
    pub client: Option<String>,
}

impl NewPlayQueue {
    pub fn new(
        user: UserId,
        songs: Vec<Uuid>,
        current: Option<Uuid>,
        position_ms: i64,
        client: Option<&str>,
    ) -> Result<Self, FieldError> {
        if songs.len() > MAX_QUEUE_SONGS {
            return Err(FieldError::new("songs", "expected at most 5000 songs"));
        }
        if current.is_some_and(|current| !songs.contains(&current)) {
            return Err(FieldError::new("current", "expected one of `songs` or null"));
        }
        if position_ms < 0 {
            return Err(FieldError::new("position_ms", "expected a whole number from 0"));
        }
        let client = client.map(str::trim).filter(|client| !client.is_empty());
        if client.is_some_and(|client| client.chars().count() > 100) {
            return Err(FieldError::new("client", "expected at most 100 characters"));
        }
        Ok(Self {
            user,
            songs,
            current,
            position_ms,
            client: client.map(str::to_owned),
        })
    }
}

/// A saved queue; an empty one (no songs, nothing changed) when never saved.
#[derive(Debug, Clone, Default)]
pub struct PlayQueue {
    pub songs: Vec<Song>,
    pub current: Option<Uuid>,
    pub position_ms: i64,
    pub changed_at: Option<DateTime<Utc>>,
    pub changed_by: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user() -> UserId {
        UserId::try_from("u1").unwrap_or_else(|_| panic!("a valid id"))
    }

    #[test]
    fn the_current_song_must_be_in_the_queue() {
        let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
        assert!(NewPlayQueue::new(user(), vec![a], Some(a), 10, Some("web")).is_ok());
        let refused = NewPlayQueue::new(user(), vec![a], Some(b), 10, None);
        assert_eq!(refused.map(|_| ()).map_err(|e| e.field), Err("current"));
        assert!(NewPlayQueue::new(user(), vec![], None, -1, None).is_err());
        assert!(NewPlayQueue::new(user(), vec![], None, 0, Some(&"c".repeat(101))).is_err());
    }
}
