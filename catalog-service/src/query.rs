//! Query parameters of the listing endpoints, parsed at the edge: anything
//! malformed is a 400 naming the parameter.

use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::{DateTime, Utc};
use common::ApiError;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::store::songs::SongRow;

/// Longest accepted search text, in characters.
pub const MAX_Q_CHARS: usize = 200;

/// The raw `GET songs` query string; every field is text so that a bad
/// value is reported by our own message.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct RawSongsQuery {
    /// Text to search in titles, artists and albums (at most 200 characters).
    pub q: Option<String>,
    /// Artist id or name.
    pub artist: Option<String>,
    /// Album id or title.
    pub album: Option<String>,
    pub genre: Option<String>,
    pub year: Option<String>,
    /// `local`, `remote` or a source id.
    pub source: Option<String>,
    /// `title` (default), `artist`, `album`, `year`, `added` or `duration`.
    pub sort: Option<String>,
    /// `asc` (default) or `desc`.
    pub order: Option<String>,
    /// 1..500, default 50.
    pub limit: Option<String>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// An album or artist named by id or by name.
#[derive(Debug, Clone)]
pub enum NameOrId {
    Id(Uuid),
    Name(String),
}

#[derive(Debug, Clone, Copy)]
pub enum SourceFilter {
    Local,
    Remote,
    Source(Uuid),
}

#[derive(Debug, Default)]
pub struct SongFilters {
    pub q: Option<String>,
    /// Artist id (a name is turned into its id).
    pub artist: Option<Uuid>,
    pub album: Option<NameOrId>,
    pub genre: Option<String>,
    pub year: Option<i32>,
    pub source: Option<SourceFilter>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SortField {
    Title,
    Artist,
    Album,
    Year,
    Added,
    Duration,
}

impl SortField {
    pub fn column(self) -> &'static str {
        match self {
            Self::Title => "title_sort",
            Self::Artist => "artist_sort",
            Self::Album => "album_sort",
            Self::Year => "year_sort",
            Self::Added => "added_at",
            Self::Duration => "duration_sort",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SortOrder {
    Asc,
    Desc,
}

impl SortOrder {
    pub fn sql(self) -> &'static str {
        match self {
            Self::Asc => "ASC",
            Self::Desc => "DESC",
        }
    }
}

/// Where the previous page ended: the sort key and id of its last song.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cursor {
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

impl Cursor {
    /// The cursor that continues after `row`, from the stored sort keys (the
    /// database folds text, so the keys are read back, never recomputed).
    pub fn after(sort: SortField, order: SortOrder, row: &SongRow) -> Self {
        let value = match sort {
            SortField::Title => CursorValue::Text(row.title_sort.clone()),
            SortField::Artist => CursorValue::Text(row.artist_sort.clone()),
            SortField::Album => CursorValue::Text(row.album_sort.clone()),
            SortField::Year => CursorValue::Int(i64::from(row.year.unwrap_or(0))),
            SortField::Added => CursorValue::Time(row.added_at),
            SortField::Duration => CursorValue::Int(row.duration_ms.unwrap_or(0)),
        };
        Self {
            sort,
            order,
            value,
            id: row.id,
        }
    }

    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(self).unwrap_or_default())
    }

    pub fn decode(text: &str) -> Option<Self> {
        let bytes = URL_SAFE_NO_PAD.decode(text).ok()?;
        serde_json::from_slice(&bytes).ok()
    }
}

fn invalid(parameter: &str, expected: &str) -> ApiError {
    ApiError::bad_request(
        "invalid_parameter",
        format!("query parameter `{parameter}` is invalid: {expected}"),
    )
}

/// Validates `q`: trimmed, at most [`MAX_Q_CHARS`] characters; empty is none.
pub fn parse_q(q: Option<&str>) -> Result<Option<String>, ApiError> {
    let Some(q) = q.map(str::trim).filter(|q| !q.is_empty()) else {
        return Ok(None);
    };
    if q.chars().count() > MAX_Q_CHARS {
        return Err(invalid("q", "expected at most 200 characters"));
    }
    Ok(Some(q.to_owned()))
}

/// Validates `limit` (1..=500, default 50).
pub fn parse_limit(limit: Option<&str>) -> Result<u32, ApiError> {
    match limit {
        None => Ok(50),
        Some(text) => text
            .trim()
            .parse::<u32>()
            .ok()
            .filter(|limit| (1..=500).contains(limit))
            .ok_or_else(|| invalid("limit", "expected a whole number from 1 to 500")),
    }
}

/// The validated `GET songs` request.
pub struct SongsRequest {
    pub filters: SongFilters,
    pub sort: SortField,
    pub order: SortOrder,
    pub limit: u32,
    pub cursor: Option<Cursor>,
}

impl TryFrom<RawSongsQuery> for SongsRequest {
    type Error = ApiError;

    fn try_from(raw: RawSongsQuery) -> Result<Self, ApiError> {
        let sort = match raw.sort.as_deref().map(str::trim) {
            None | Some("") | Some("title") => SortField::Title,
            Some("artist") => SortField::Artist,
            Some("album") => SortField::Album,
            Some("year") => SortField::Year,
            Some("added") => SortField::Added,
            Some("duration") => SortField::Duration,
            Some(_) => {
                return Err(invalid(
                    "sort",
                    "expected title, artist, album, year, added or duration",
                ));
            }
        };
        let order = match raw.order.as_deref().map(str::trim) {
            None | Some("") | Some("asc") => SortOrder::Asc,
            Some("desc") => SortOrder::Desc,
            Some(_) => return Err(invalid("order", "expected asc or desc")),
        };
        let cursor = match raw.cursor.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
            None => None,
            Some(text) => {
                let cursor = Cursor::decode(text)
                    .ok_or_else(|| invalid("cursor", "expected the next_cursor of a previous page"))?;
                if cursor.sort != sort || cursor.order != order {
                    return Err(invalid(
                        "cursor",
                        "it belongs to a listing with another sort or order",
                    ));
                }
                Some(cursor)
            }
        };
        Ok(Self {
            filters: SongFilters {
                q: parse_q(raw.q.as_deref())?,
                artist: raw
                    .artist
                    .as_deref()
                    .map(str::trim)
                    .filter(|a| !a.is_empty())
                    .map(|artist| Uuid::parse_str(artist).unwrap_or_else(|_| crate::ids::artist_id(artist))),
                album: raw
                    .album
                    .as_deref()
                    .map(str::trim)
                    .filter(|a| !a.is_empty())
                    .map(|album| {
                        Uuid::parse_str(album).map_or_else(|_| NameOrId::Name(album.to_owned()), NameOrId::Id)
                    }),
                genre: raw
                    .genre
                    .map(|genre| genre.trim().to_owned())
                    .filter(|g| !g.is_empty()),
                year: match raw.year.as_deref().map(str::trim).filter(|y| !y.is_empty()) {
                    None => None,
                    Some(text) => Some(
                        text.parse::<i32>()
                            .ok()
                            .filter(|year| (0..=9999).contains(year))
                            .ok_or_else(|| invalid("year", "expected a year such as 1999"))?,
                    ),
                },
                source: match raw.source.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
                    None => None,
                    Some("local") => Some(SourceFilter::Local),
                    Some("remote") => Some(SourceFilter::Remote),
                    Some(text) => {
                        Some(SourceFilter::Source(Uuid::parse_str(text).map_err(|_| {
                            invalid("source", "expected local, remote or a source id")
                        })?))
                    }
                },
            },
            sort,
            order,
            limit: parse_limit(raw.limit.as_deref())?,
            cursor,
        })
    }
}
