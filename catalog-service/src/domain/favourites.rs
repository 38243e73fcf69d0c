//! Favourites: songs, albums and artists a user starred.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{Album, Artist, Song};

/// What can be starred.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FavouriteKind {
    Song,
    Album,
    Artist,
}

impl FavouriteKind {
    /// The kind named by a path segment (`songs`, `albums`, `artists`).
    pub fn from_plural(text: &str) -> Option<Self> {
        match text {
            "songs" => Some(Self::Song),
            "albums" => Some(Self::Album),
            "artists" => Some(Self::Artist),
            _ => None,
        }
    }

    /// The singular name, for messages ("song 0f3… was not found").
    pub fn name(self) -> &'static str {
        match self {
            Self::Song => "song",
            Self::Album => "album",
            Self::Artist => "artist",
        }
    }
}

/// An item and when it was starred.
#[derive(Debug, Clone)]
pub struct Starred<T> {
    pub item: T,
    pub starred_at: DateTime<Utc>,
}

/// Everything one user starred, newest first in each kind.
#[derive(Debug, Clone, Default)]
pub struct Favourites {
    pub songs: Vec<Starred<Song>>,
    pub albums: Vec<Starred<Album>>,
    pub artists: Vec<Starred<Artist>>,
}

/// The ids of everything one user starred, with when.
#[derive(Debug, Clone, Default)]
pub struct FavouriteIds {
    pub songs: Vec<Starred<Uuid>>,
    pub albums: Vec<Starred<Uuid>>,
    pub artists: Vec<Starred<Uuid>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_are_named_in_the_plural_in_paths() {
        assert_eq!(FavouriteKind::from_plural("albums"), Some(FavouriteKind::Album));
        assert_eq!(FavouriteKind::from_plural("album"), None);
        assert_eq!(FavouriteKind::Artist.name(), "artist");
    }
}
