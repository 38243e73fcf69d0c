//! Favourites on the wire.

use std::collections::BTreeMap;

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

fn ids(starred: &[domain::Starred<Uuid>]) -> Vec<Uuid> {
    starred.iter().map(|one| one.item).collect()
}

impl From<&domain::FavouriteIds> for FavouriteIds {
    fn from(ids_of: &domain::FavouriteIds) -> Self {
        Self {
            songs: ids(&ids_of.songs),
            albums: ids(&ids_of.albums),
            artists: ids(&ids_of.artists),
        }
    }
}

/// When each favourite was starred, by id, per kind.
#[derive(Debug, Serialize, ToSchema)]
pub struct FavouriteTimes {
    pub songs: BTreeMap<Uuid, DateTime<Utc>>,
    pub albums: BTreeMap<Uuid, DateTime<Utc>>,
    pub artists: BTreeMap<Uuid, DateTime<Utc>>,
}

fn times(starred: &[domain::Starred<Uuid>]) -> BTreeMap<Uuid, DateTime<Utc>> {
    starred.iter().map(|one| (one.item, one.starred_at)).collect()
}

impl From<&domain::FavouriteIds> for FavouriteTimes {
    fn from(ids_of: &domain::FavouriteIds) -> Self {
        Self {
            songs: times(&ids_of.songs),
            albums: times(&ids_of.albums),
            artists: times(&ids_of.artists),
        }
    }
}
