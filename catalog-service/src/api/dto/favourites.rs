//! Favourites on the wire.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{Album, Artist, Song};
use crate::domain::favourites as domain;

/// A starred song: the `Song` of listings and when it was starred.
#[derive(Debug, Serialize, ToSchema)]
pub struct StarredSong {
    #[serde(flatten)]
    pub song: Song,
    pub starred_at: DateTime<Utc>,
}

/// A starred album: the `Album` of listings and when it was starred.
#[derive(Debug, Serialize, ToSchema)]
pub struct StarredAlbum {
    #[serde(flatten)]
    pub album: Album,
    pub starred_at: DateTime<Utc>,
}

/// A starred artist: the `Artist` of listings and when it was starred.
#[derive(Debug, Serialize, ToSchema)]
pub struct StarredArtist {
    #[serde(flatten)]
    pub artist: Artist,
    pub starred_at: DateTime<Utc>,
}

/// Everything the caller starred, newest first in each kind.
#[derive(Debug, Serialize, ToSchema)]
pub struct Favourites {
    pub songs: Vec<StarredSong>,
    pub albums: Vec<StarredAlbum>,
    pub artists: Vec<StarredArtist>,
}

impl From<&domain::Favourites> for Favourites {
    fn from(found: &domain::Favourites) -> Self {
        Self {
            songs: found
                .songs
                .iter()
                .map(|starred| StarredSong {
                    song: Song::from(&starred.item),
                    starred_at: starred.starred_at,
                })
                .collect(),
            albums: found
                .albums
                .iter()
                .map(|starred| StarredAlbum {
                    album: Album::from(&starred.item),
                    starred_at: starred.starred_at,
                })
                .collect(),
            artists: found
                .artists
                .iter()
                .map(|starred| StarredArtist {
                    artist: Artist::from(&starred.item),
                    starred_at: starred.starred_at,
                })
                .collect(),
        }
    }
}

/// The ids of everything the caller starred (to draw hearts).
#[derive(Debug, Serialize, ToSchema)]
pub struct FavouriteIds {
    pub songs: Vec<Uuid>,
    pub albums: Vec<Uuid>,
    pub artists: Vec<Uuid>,
}

impl From<domain::FavouriteIds> for FavouriteIds {
    fn from(ids: domain::FavouriteIds) -> Self {
        Self {
            songs: ids.songs,
            albums: ids.albums,
            artists: ids.artists,
        }
    }
}
