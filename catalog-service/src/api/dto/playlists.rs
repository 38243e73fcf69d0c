//! Playlists on the wire: what the API answers and the bodies it reads.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::Song;
use crate::domain::playlist as domain;

/// Who owns a playlist. The catalog does not own usernames: `name` is
/// null here, and the gateway's Subsonic adapter fills it in.
#[derive(Debug, Serialize, ToSchema)]
pub struct Owner {
    pub id: String,
    pub name: Option<String>,
}

/// A playlist without its songs.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlaylistSummary {
    pub id: Uuid,
    pub name: String,
    pub comment: Option<String>,
    pub public: bool,
    pub owner: Owner,
    pub song_count: i64,
    /// Sum of the songs' durations (songs without one count 0).
    pub duration_ms: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<&domain::Playlist> for PlaylistSummary {
    fn from(playlist: &domain::Playlist) -> Self {
        Self {
            id: playlist.id,
            name: playlist.name.clone(),
            comment: playlist.comment.clone(),
            public: playlist.public,
            owner: Owner {
                id: playlist.owner.clone(),
                name: None,
            },
            song_count: playlist.song_count,
            duration_ms: playlist.duration_ms,
            created_at: playlist.created_at,
            updated_at: playlist.updated_at,
        }
    }
}

/// A playlist with its songs in order (a song may appear more than once).
#[derive(Debug, Serialize, ToSchema)]
pub struct PlaylistDetail {
    #[serde(flatten)]
    pub playlist: PlaylistSummary,
    pub songs: Vec<Song>,
}

/// `GET playlists`.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlaylistList {
    pub items: Vec<PlaylistSummary>,
}

/// The body of `POST playlists`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewPlaylist {
    /// 1 to 200 characters, trimmed.
    pub name: String,
    /// At most 2000 characters.
    pub comment: Option<String>,
    /// Readable by every signed-in user; default false.
    pub public: Option<bool>,
    /// Song ids in order (at most 5000).
    pub songs: Option<Vec<String>>,
}

/// The body of `PATCH playlists/{id}`: absent fields are left as they are;
/// an empty `comment` removes it.
#[derive(Debug, Deserialize, ToSchema)]
pub struct PlaylistChange {
    pub name: Option<String>,
    pub comment: Option<String>,
    pub public: Option<bool>,
}

/// The body of `PUT` and `POST playlists/{id}/songs`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct PlaylistSongs {
    /// Song ids in order (at most 5000).
    pub songs: Vec<String>,
}
