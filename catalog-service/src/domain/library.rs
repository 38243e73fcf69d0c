//! Albums, artists and genres, with figures computed from their songs.

use uuid::Uuid;

/// An album with figures computed from its songs.
#[derive(Debug, Clone)]
pub struct Album {
    pub id: Uuid,
    pub title: String,
    pub artist: String,
    pub artist_id: Uuid,
    pub year: Option<i32>,
    pub song_count: i64,
    pub duration_ms: Option<i64>,
    pub has_cover: bool,
    /// The folded title (the key of album cursors).
    pub sort_key: String,
}

/// An artist with figures computed from its songs and albums.
#[derive(Debug, Clone)]
pub struct Artist {
    pub id: Uuid,
    pub name: String,
    pub song_count: i64,
    pub album_count: i64,
    /// The folded name (the key of artist cursors).
    pub sort_key: String,
}

/// A genre and its number of songs.
#[derive(Debug, Clone)]
pub struct Genre {
    pub name: String,
    pub song_count: i64,
}

/// An album or artist found by search.
#[derive(Debug, Clone)]
pub struct NamedHit {
    pub id: Uuid,
    pub name: String,
    /// The album artist, for albums.
    pub artist: Option<String>,
}

/// What details are asked about.
#[derive(Debug, Clone, Copy)]
pub enum Subject<'a> {
    Song(&'a super::Song),
    Album(&'a Album),
    Artist(&'a Artist),
}

/// An artist in the artist index: every artist at once, for app indexes.
#[derive(Debug, Clone)]
pub struct IndexedArtist {
    pub id: Uuid,
    pub name: String,
    /// Albums with this artist as album artist.
    pub album_count: i64,
}
