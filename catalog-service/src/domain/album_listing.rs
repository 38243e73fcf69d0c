//! A listing of albums: the orders apps browse by (title, artist, newest,
//! year, random), filters, and a page given by keyset or by offset.

use uuid::Uuid;

use super::{cursor::NameKey, listing::SortOrder};

/// What albums are sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlbumSort {
    /// Folded title (the only order with a keyset cursor).
    Title,
    /// Folded album artist, then title.
    Artist,
    /// When the album was first added to the library.
    Added,
    /// Year, then title; albums without a year are left out.
    Year,
    /// A random sample: one page.
    Random,
}

/// Filters an album must pass; every one present must hold.
#[derive(Debug, Default, Clone)]
pub struct AlbumFilters {
    /// Albums of this artist, as album artist or credited on a track.
    pub artist: Option<Uuid>,
    /// Albums with a song of this genre (any case).
    pub genre: Option<String>,
    /// Years from and to, both included.
    pub years: Option<(i32, i32)>,
}

/// Where a page of albums starts.
#[derive(Debug, Clone, PartialEq)]
pub enum AlbumPage {
    /// After the album of this key (title order only).
    After(NameKey),
    /// After skipping this many albums.
    Offset(u32),
}

/// A validated request for a page of albums.
#[derive(Debug, Clone)]
pub struct AlbumListing {
    pub sort: AlbumSort,
    pub order: SortOrder,
    pub filters: AlbumFilters,
    pub start: AlbumPage,
    pub limit: u32,
}

impl AlbumListing {
    /// The first `limit` albums by title.
    pub fn by_title(filters: AlbumFilters, limit: u32) -> Self {
        Self {
            sort: AlbumSort::Title,
            order: SortOrder::Asc,
            filters,
            start: AlbumPage::Offset(0),
            limit,
        }
    }
}
