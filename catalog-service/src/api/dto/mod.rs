//! The wire format of the catalog API, kept apart from the stored rows so
//! it changes only on purpose.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::domain;

mod admin;
mod channel;
mod favourites;
mod play_queue;
mod playlists;
pub use admin::{ScanError, ScanProgress, Source};
pub use channel::Channel;
pub use favourites::{FavouriteIds, FavouriteTimes, Favourites, StarredAlbum, StarredArtist, StarredSong};
pub use play_queue::{PlayQueue, SavePlayQueue};
pub use playlists::{
    NewPlaylist, Owner, PlaylistChange, PlaylistDetail, PlaylistList, PlaylistSongs, PlaylistSummary,
};

/// A song in lists.
#[derive(Debug, Serialize, ToSchema)]
pub struct Song {
    pub id: Uuid,
    pub title: String,
    /// All credited artists, joined for display.
    pub artist: String,
    pub artists: Vec<ArtistRef>,
    pub album: AlbumRef,
    pub track_number: Option<i32>,
    pub disc_number: Option<i32>,
    pub year: Option<i32>,
    pub genres: Vec<String>,
    pub duration_ms: Option<i64>,
    /// `local` or `remote`.
    pub source_kind: String,
    pub source_id: Option<Uuid>,
    /// Relative URL of the cover, when there is one.
    pub cover_url: Option<String>,
    /// URL that plays the song (served by the stream service).
    pub stream_url: String,
    pub added_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ArtistRef {
    pub id: Uuid,
    pub name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AlbumRef {
    pub id: Uuid,
    pub title: String,
    pub artist: String,
}

impl From<&domain::Song> for Song {
    fn from(row: &domain::Song) -> Self {
        Self {
            id: row.id,
            title: row.title.clone(),
            artist: row.artist.clone(),
            artists: row
                .artists
                .iter()
                .zip(&row.artist_ids)
                .map(|(name, id)| ArtistRef {
                    id: *id,
                    name: name.clone(),
                })
                .collect(),
            album: AlbumRef {
                id: row.album_id,
                title: row.album.clone(),
                artist: row.album_artist.clone(),
            },
            track_number: row.track_number,
            disc_number: row.disc_number,
            year: row.year,
            genres: row.genres.clone(),
            duration_ms: row.duration_ms,
            source_kind: row.kind.as_str().to_owned(),
            source_id: row.source_id,
            cover_url: row
                .has_cover()
                .then(|| format!("/api/catalog/songs/{}/cover", row.id)),
            stream_url: format!("/api/stream/songs/{}", row.id),
            added_at: row.added_at,
        }
    }
}

/// Every tag and technical detail of one song.
#[derive(Debug, Serialize, ToSchema)]
pub struct SongDetail {
    #[serde(flatten)]
    pub song: Song,
    pub album_artist: String,
    pub track_total: Option<i32>,
    pub disc_total: Option<i32>,
    pub date: Option<String>,
    pub file_name: String,
    pub content_type: Option<String>,
    pub size_bytes: Option<i64>,
    pub modified_at: Option<DateTime<Utc>>,
    pub bitrate_kbps: Option<i32>,
    pub sample_rate: Option<i32>,
    pub channels: Option<i32>,
    pub codec: Option<String>,
    /// For Internet songs: the episode or track URL; admins only (null for
    /// everyone else).
    pub url: Option<String>,
    pub description: Option<String>,
    pub published_at: Option<DateTime<Utc>>,
    /// The file was reported missing and not found again.
    pub missing: bool,
    /// Lyrics embedded in the file's tags, as written there (plain text,
    /// or LRC with `[mm:ss.xx]` time stamps); null when it has none.
    pub lyrics: Option<String>,
    /// Details from repositories (e.g. `lastfm`), by repository name.
    #[schema(value_type = Object)]
    pub details: BTreeMap<String, serde_json::Value>,
}

impl SongDetail {
    pub fn new(row: &domain::Song, details: BTreeMap<String, serde_json::Value>) -> Self {
        Self {
            song: Song::from(row),
            album_artist: row.album_artist.clone(),
            track_total: row.track_total,
            disc_total: row.disc_total,
            date: row.date.clone(),
            file_name: row.file_name.clone(),
            content_type: row.content_type.clone(),
            size_bytes: row.size_bytes,
            modified_at: row.modified_at,
            bitrate_kbps: row.bitrate_kbps,
            sample_rate: row.sample_rate,
            channels: row.channels,
            codec: row.codec.clone(),
            url: row.url.clone(),
            description: row.description.clone(),
            published_at: row.published_at,
            missing: row.missing,
            lyrics: None,
            details,
        }
    }
}

/// A page of items and the cursor of the next page (absent on the last).
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Album {
    pub id: Uuid,
    pub title: String,
    pub artist: ArtistRef,
    pub year: Option<i32>,
    pub song_count: i64,
    pub duration_ms: Option<i64>,
    pub cover_url: Option<String>,
}

impl From<&domain::Album> for Album {
    fn from(row: &domain::Album) -> Self {
        Self {
            id: row.id,
            title: row.title.clone(),
            artist: ArtistRef {
                id: row.artist_id,
                name: row.artist.clone(),
            },
            year: row.year,
            song_count: row.song_count,
            duration_ms: row.duration_ms,
            cover_url: row
                .has_cover
                .then(|| format!("/api/catalog/albums/{}/cover", row.id)),
        }
    }
}

/// An album with its tracks in disc and track order.
#[derive(Debug, Serialize, ToSchema)]
pub struct AlbumDetail {
    #[serde(flatten)]
    pub album: Album,
    pub songs: Vec<Song>,
    #[schema(value_type = Object)]
    pub details: BTreeMap<String, serde_json::Value>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Artist {
    pub id: Uuid,
    pub name: String,
    pub song_count: i64,
    pub album_count: i64,
}

impl From<&domain::Artist> for Artist {
    fn from(row: &domain::Artist) -> Self {
        Self {
            id: row.id,
            name: row.name.clone(),
            song_count: row.song_count,
            album_count: row.album_count,
        }
    }
}

/// An artist in the artist index.
#[derive(Debug, Serialize, ToSchema)]
pub struct IndexedArtist {
    pub id: Uuid,
    pub name: String,
    /// Albums with this artist as album artist.
    pub album_count: i64,
}

impl From<&domain::IndexedArtist> for IndexedArtist {
    fn from(row: &domain::IndexedArtist) -> Self {
        Self {
            id: row.id,
            name: row.name.clone(),
            album_count: row.album_count,
        }
    }
}

/// An artist with its albums (as album artist or credited on a track).
#[derive(Debug, Serialize, ToSchema)]
pub struct ArtistDetail {
    #[serde(flatten)]
    pub artist: Artist,
    pub albums: Vec<Album>,
    #[schema(value_type = Object)]
    pub details: BTreeMap<String, serde_json::Value>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Genre {
    pub name: String,
    pub song_count: i64,
}

impl From<&domain::Genre> for Genre {
    fn from(genre: &domain::Genre) -> Self {
        Self {
            name: genre.name.clone(),
            song_count: genre.song_count,
        }
    }
}

/// Search results grouped by kind, best first in each group.
#[derive(Debug, Serialize, ToSchema)]
pub struct SearchResults {
    pub songs: Vec<Song>,
    pub albums: Vec<SearchHit>,
    pub artists: Vec<SearchHit>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SearchHit {
    pub id: Uuid,
    pub name: String,
    /// The album artist, for albums.
    pub artist: Option<String>,
}
