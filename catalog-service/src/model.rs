//! What repositories contribute to the store: one row per song, in the
//! shape the batch insert takes (serialised as JSON records).

use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

/// A song ready to be written, whatever repository found it.
#[derive(Debug, Clone, Serialize, Default)]
pub struct NewSong {
    pub id: Uuid,
    /// `local` or `remote`.
    pub kind: &'static str,
    pub source_id: Option<Uuid>,
    pub path: Option<String>,
    pub url: Option<String>,
    pub file_name: String,
    pub content_type: Option<String>,
    pub size_bytes: Option<i64>,
    pub modified_at: Option<DateTime<Utc>>,
    pub title: String,
    /// Display form of the artists ("A, B").
    pub artist: String,
    pub artists: Vec<String>,
    pub artist_ids: Vec<Uuid>,
    pub album: String,
    pub album_id: Uuid,
    pub album_artist: String,
    pub track_number: Option<i32>,
    pub track_total: Option<i32>,
    pub disc_number: Option<i32>,
    pub disc_total: Option<i32>,
    pub year: Option<i32>,
    pub date: Option<String>,
    pub genres: Vec<String>,
    pub duration_ms: Option<i64>,
    pub bitrate_kbps: Option<i32>,
    pub sample_rate: Option<i32>,
    pub channels: Option<i32>,
    pub codec: Option<String>,
    pub embedded_cover: bool,
    pub folder_cover: Option<String>,
    pub image_url: Option<String>,
    pub description: Option<String>,
    pub published_at: Option<DateTime<Utc>>,
}

/// The artist shown when a file names none.
pub const UNKNOWN_ARTIST: &str = "Unknown Artist";
/// The album shown when a file names none.
pub const UNKNOWN_ALBUM: &str = "Unknown Album";

impl NewSong {
    /// Fills artist and album fields and their ids from the names found,
    /// falling back to the "Unknown" groups.
    pub fn set_credits(&mut self, artists: Vec<String>, album: Option<String>, album_artist: Option<String>) {
        let artists: Vec<String> = artists
            .into_iter()
            .map(|name| name.trim().to_owned())
            .filter(|name| !name.is_empty())
            .collect();
        let artists = if artists.is_empty() {
            vec![UNKNOWN_ARTIST.to_owned()]
        } else {
            artists
        };
        let album_artist = album_artist
            .map(|name| name.trim().to_owned())
            .filter(|name| !name.is_empty())
            .unwrap_or_else(|| artists[0].clone());
        let album = album
            .map(|name| name.trim().to_owned())
            .filter(|name| !name.is_empty())
            .unwrap_or_else(|| UNKNOWN_ALBUM.to_owned());
        self.artist = artists.join(", ");
        self.artist_ids = artists.iter().map(|name| crate::ids::artist_id(name)).collect();
        self.album_id = crate::ids::album_id(&album_artist, &album);
        self.artists = artists;
        self.album = album;
        self.album_artist = album_artist;
    }
}
