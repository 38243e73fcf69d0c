//! What a song listing asks for: filters, sort, and where the previous
//! page ended.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::song::{Song, SongKind};

/// An album or artist named by id or by name.
#[derive(Debug, Clone)]
pub enum NameOrId {
    Id(Uuid),
    Name(String),
}

/// Songs of one kind or of one Internet source.
#[derive(Debug, Clone, Copy)]
pub enum SourceFilter {
    Kind(SongKind),
    Source(Uuid),
}

/// The filters of a song listing; every one present must hold.
#[derive(Debug, Default)]
pub struct SongFilters {
    /// Text to search in titles, artists and albums.
    pub q: Option<String>,
    /// Artist id (a name is turned into its id).
    pub artist: Option<Uuid>,
    pub album: Option<NameOrId>,
    pub genre: Option<String>,
    /// Years from and to, both included (one year: the same twice).
    pub years: Option<(i32, i32)>,
    pub source: Option<SourceFilter>,
}

/// What songs are sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SortField {
    Title,
    Artist,
    Album,
    Year,
    Added,
    Duration,
    /// A random sample: one page, no cursor.
    Random,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SortOrder {
    Asc,
    Desc,
}

/// A song listing: filters, sort, page size and where to continue.
pub struct SongListing {
    pub filters: SongFilters,
    pub sort: SortField,
    pub order: SortOrder,
    pub limit: u32,
    /// Songs skipped before the page (with no cursor).
    pub offset: u32,
    pub after: Option<SongCursor>,
}

/// Where the previous page of songs ended: the sort key and id of its last
/// song (encoded with [`super::cursor`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SongCursor {
    pub sort: SortField,
    pub order: SortOrder,
    pub value: CursorValue,
    pub id: Uuid,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CursorValue {
    Text(String),
    Int(i64),
    Time(DateTime<Utc>),
}

impl SongCursor {
    /// The cursor that continues after `song`, from its stored sort keys.
    pub fn after(sort: SortField, order: SortOrder, song: &Song) -> Self {
        let value = match sort {
            SortField::Title => CursorValue::Text(song.title_sort.clone()),
            SortField::Artist => CursorValue::Text(song.artist_sort.clone()),
            SortField::Album => CursorValue::Text(song.album_sort.clone()),
            SortField::Year => CursorValue::Int(i64::from(song.year.unwrap_or(0))),
            SortField::Added => CursorValue::Time(song.added_at),
            SortField::Duration => CursorValue::Int(song.duration_ms.unwrap_or(0)),
            // Random pages have no next page; nothing reads this.
            SortField::Random => CursorValue::Int(0),
        };
        Self {
            sort,
            order,
            value,
            id: song.id,
        }
    }
}
