//! Songs: where one comes from ([`SongKind`]), a song as the catalog knows
//! it ([`Song`]) and a song a source found, ready to be written ([`NewSong`]).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Where a song's audio is: a file in a music folder or a URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SongKind {
    /// A file in one of the music folders.
    #[default]
    Local,
    /// A URL of an Internet source.
    Remote,
}

impl SongKind {
    /// The name stored and shown (`local`, `remote`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Local => "local",
            Self::Remote => "remote",
        }
    }

    /// The kind of a stored name; `None` for anything else.
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "local" => Some(Self::Local),
            "remote" => Some(Self::Remote),
            _ => None,
        }
    }
}

/// A song as the catalog knows it: tags, technical details, where it comes
/// from, and the sort keys the database folded (read back for cursors,
/// never recomputed).
#[derive(Debug, Clone)]
pub struct Song {
    pub id: Uuid,
    pub kind: SongKind,
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
    /// The file was reported missing and not found again.
    pub missing: bool,
    pub added_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub title_sort: String,
    pub artist_sort: String,
    pub album_sort: String,
}

impl Song {
    /// Whether a cover can be served for this song.
    pub fn has_cover(&self) -> bool {
        self.embedded_cover || self.folder_cover.is_some() || self.image_url.is_some()
    }
}

/// A song ready to be written, whatever source found it (serialised as
/// the JSON records the batch insert takes).
#[derive(Debug, Clone, Serialize, Default)]
pub struct NewSong {
    pub id: Uuid,
    pub kind: SongKind,
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
    /// Lyrics embedded in the file's tags (plain or LRC text).
    pub lyrics: Option<String>,
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
        self.artist_ids = artists.iter().map(|name| super::ids::artist_id(name)).collect();
        self.album_id = super::ids::album_id(&album_artist, &album);
        self.artists = artists;
        self.album = album;
        self.album_artist = album_artist;
    }
}
