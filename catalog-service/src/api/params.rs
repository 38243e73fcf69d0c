//! Query parameters and path ids, parsed at the edge into domain types:
//! anything malformed is a 400 naming the parameter.

use serde::Deserialize;
use uuid::Uuid;

use super::error::CatalogError;
use crate::domain::{
    SongKind, cursor,
    ids::artist_id,
    listing::{NameOrId, SongCursor, SongFilters, SongListing, SortField, SortOrder, SourceFilter},
};

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
    /// A year (`1999`) or years from and to, both included (`1990-1999`).
    pub year: Option<String>,
    /// `local`, `remote` or a source id.
    pub source: Option<String>,
    /// `title` (default), `artist`, `album`, `year`, `added`, `duration`,
    /// or `random` (a random sample of `limit` songs: one page, no cursor).
    pub sort: Option<String>,
    /// `asc` (default) or `desc`.
    pub order: Option<String>,
    /// 1..500, default 50.
    pub limit: Option<String>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Songs skipped before the page (0..1000000), instead of a cursor.
    pub offset: Option<String>,
}

fn invalid(parameter: &'static str, expected: &str) -> CatalogError {
    CatalogError::invalid(parameter, expected)
}

/// Parses an id from a path segment: a UUID, else 400 `invalid_id`.
pub fn parse_id(text: &str, what: &'static str) -> Result<Uuid, CatalogError> {
    Uuid::parse_str(text.trim()).map_err(|_| CatalogError::InvalidId {
        what,
        text: text.to_owned(),
    })
}

/// Decodes a `cursor` parameter made by [`cursor::encode`]; empty is none.
pub fn parse_cursor<T: serde::de::DeserializeOwned>(text: Option<&str>) -> Result<Option<T>, CatalogError> {
    match text.map(str::trim).filter(|text| !text.is_empty()) {
        None => Ok(None),
        Some(text) => cursor::decode(text)
            .map(Some)
            .ok_or_else(|| invalid("cursor", "expected the next_cursor of a previous page")),
    }
}

/// Validates `q`: trimmed, at most [`MAX_Q_CHARS`] characters; empty is none.
pub fn parse_q(q: Option<&str>) -> Result<Option<String>, CatalogError> {
    let Some(q) = q.map(str::trim).filter(|q| !q.is_empty()) else {
        return Ok(None);
    };
    if q.chars().count() > MAX_Q_CHARS {
        return Err(invalid("q", "expected at most 200 characters"));
    }
    Ok(Some(q.to_owned()))
}

/// Validates `limit` (1..=500, default 50).
pub fn parse_limit(limit: Option<&str>) -> Result<u32, CatalogError> {
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

/// Largest `offset` accepted.
const MAX_OFFSET: u32 = 1_000_000;

/// Validates `offset` (0..=1,000,000, default 0); a page starts at a
/// cursor or at an offset, not both.
pub fn parse_offset(text: Option<&str>, has_cursor: bool) -> Result<u32, CatalogError> {
    let Some(text) = text.map(str::trim).filter(|text| !text.is_empty()) else {
        return Ok(0);
    };
    if has_cursor {
        return Err(invalid(
            "offset",
            "expected either a cursor or an offset, not both",
        ));
    }
    text.parse::<u32>()
        .ok()
        .filter(|offset| *offset <= MAX_OFFSET)
        .ok_or_else(|| invalid("offset", "expected a whole number from 0 to 1000000"))
}

/// `1999` -> (1999, 1999); `1990-1999` (or `1999-1990`) -> (1990, 1999).
pub(super) fn parse_years(text: &str) -> Result<(i32, i32), CatalogError> {
    let year = |part: &str| {
        part.trim()
            .parse::<i32>()
            .ok()
            .filter(|year| (0..=9999).contains(year))
            .ok_or_else(|| invalid("year", "expected a year such as 1999, or years such as 1990-1999"))
    };
    match text.split_once('-') {
        None => year(text).map(|one| (one, one)),
        Some((from, to)) => {
            let (from, to) = (year(from)?, year(to)?);
            Ok((from.min(to), from.max(to)))
        }
    }
}

/// The validated `GET songs` request.
impl TryFrom<RawSongsQuery> for SongListing {
    type Error = CatalogError;

    fn try_from(raw: RawSongsQuery) -> Result<Self, CatalogError> {
        let sort = match raw.sort.as_deref().map(str::trim) {
            None | Some("") | Some("title") => SortField::Title,
            Some("artist") => SortField::Artist,
            Some("album") => SortField::Album,
            Some("year") => SortField::Year,
            Some("added") => SortField::Added,
            Some("duration") => SortField::Duration,
            Some("random") => SortField::Random,
            Some(_) => {
                return Err(invalid(
                    "sort",
                    "expected title, artist, album, year, added, duration or random",
                ));
            }
        };
        let order = match raw.order.as_deref().map(str::trim) {
            None | Some("") | Some("asc") => SortOrder::Asc,
            Some("desc") => SortOrder::Desc,
            Some(_) => return Err(invalid("order", "expected asc or desc")),
        };
        let after: Option<SongCursor> = parse_cursor(raw.cursor.as_deref())?;
        if after
            .as_ref()
            .is_some_and(|cursor| cursor.sort != sort || cursor.order != order)
        {
            return Err(invalid(
                "cursor",
                "it belongs to a listing with another sort or order",
            ));
        }
        Ok(Self {
            filters: SongFilters {
                q: parse_q(raw.q.as_deref())?,
                artist: raw
                    .artist
                    .as_deref()
                    .map(str::trim)
                    .filter(|a| !a.is_empty())
                    .map(|artist| Uuid::parse_str(artist).unwrap_or_else(|_| artist_id(artist))),
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
                years: match raw.year.as_deref().map(str::trim).filter(|y| !y.is_empty()) {
                    None => None,
                    Some(text) => Some(parse_years(text)?),
                },
                source: match raw.source.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
                    None => None,
                    Some(text) => Some(match SongKind::parse(text) {
                        Some(kind) => SourceFilter::Kind(kind),
                        None => SourceFilter::Source(
                            Uuid::parse_str(text)
                                .map_err(|_| invalid("source", "expected local, remote or a source id"))?,
                        ),
                    }),
                },
            },
            sort,
            order,
            limit: parse_limit(raw.limit.as_deref())?,
            offset: parse_offset(raw.offset.as_deref(), after.is_some())?,
            after,
        })
    }
}

/// Song ids of a request body, each a UUID (else 400 `invalid_id` naming it).
pub fn parse_song_ids(texts: &[String]) -> Result<Vec<Uuid>, CatalogError> {
    texts.iter().map(|text| parse_id(text, "song")).collect()
}
