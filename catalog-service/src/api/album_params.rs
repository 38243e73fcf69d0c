//! The `GET albums` query, parsed into an [`AlbumListing`].

use serde::Deserialize;

use super::{
    error::CatalogError,
    params::{parse_cursor, parse_id, parse_limit, parse_offset, parse_years},
};
use crate::domain::{
    album_listing::{AlbumFilters, AlbumListing, AlbumPage, AlbumSort},
    cursor::NameKey,
    listing::SortOrder,
};

/// The raw `GET albums` query string; every field is text so that a bad
/// value is reported by our own message.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct RawAlbumsQuery {
    /// 1..500, default 50.
    pub limit: Option<String>,
    /// `next_cursor` of the previous page (title order only).
    pub cursor: Option<String>,
    /// Albums skipped before the page (0..1000000), instead of a cursor.
    pub offset: Option<String>,
    /// An artist id: albums of that artist, as album artist or on a track.
    pub artist: Option<String>,
    /// Albums with a song of this genre (any case).
    pub genre: Option<String>,
    /// A year (`1999`) or years from and to, both included (`1990-1999`);
    /// albums without a year are then left out.
    pub year: Option<String>,
    /// `title` (default), `artist` (then title), `added` (when first
    /// added), `year` (then title), or `random` (a random sample: one page).
    pub sort: Option<String>,
    /// `asc` (default) or `desc`.
    pub order: Option<String>,
}

fn invalid(parameter: &'static str, expected: &str) -> CatalogError {
    CatalogError::invalid(parameter, expected)
}

fn present(text: Option<&str>) -> Option<&str> {
    text.map(str::trim).filter(|text| !text.is_empty())
}

fn parse_sort(text: Option<&str>) -> Result<AlbumSort, CatalogError> {
    Ok(match present(text) {
        None | Some("title") => AlbumSort::Title,
        Some("artist") => AlbumSort::Artist,
        Some("added") => AlbumSort::Added,
        Some("year") => AlbumSort::Year,
        Some("random") => AlbumSort::Random,
        Some(_) => return Err(invalid("sort", "expected title, artist, added, year or random")),
    })
}

fn parse_order(text: Option<&str>) -> Result<SortOrder, CatalogError> {
    match present(text) {
        None | Some("asc") => Ok(SortOrder::Asc),
        Some("desc") => Ok(SortOrder::Desc),
        Some(_) => Err(invalid("order", "expected asc or desc")),
    }
}

fn parse_start(raw: &RawAlbumsQuery, sort: AlbumSort, order: SortOrder) -> Result<AlbumPage, CatalogError> {
    let after: Option<NameKey> = parse_cursor(raw.cursor.as_deref())?;
    let offset = parse_offset(raw.offset.as_deref(), after.is_some())?;
    match after {
        Some(_) if sort != AlbumSort::Title || order != SortOrder::Asc => Err(invalid(
            "cursor",
            "cursors page albums by title only; use offset for other orders",
        )),
        Some(key) => Ok(AlbumPage::After(key)),
        None => Ok(AlbumPage::Offset(offset)),
    }
}

impl TryFrom<RawAlbumsQuery> for AlbumListing {
    type Error = CatalogError;

    fn try_from(raw: RawAlbumsQuery) -> Result<Self, CatalogError> {
        let sort = parse_sort(raw.sort.as_deref())?;
        let order = parse_order(raw.order.as_deref())?;
        let start = parse_start(&raw, sort, order)?;
        let filters = AlbumFilters {
            artist: present(raw.artist.as_deref())
                .map(|text| parse_id(text, "artist"))
                .transpose()?,
            genre: present(raw.genre.as_deref()).map(str::to_owned),
            years: present(raw.year.as_deref()).map(parse_years).transpose()?,
        };
        Ok(Self {
            sort,
            order,
            filters,
            start,
            limit: parse_limit(raw.limit.as_deref())?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listing(pairs: &[(&str, &str)]) -> Result<AlbumListing, CatalogError> {
        let query: Vec<String> = pairs
            .iter()
            .map(|(name, value)| format!("{name}={value}"))
            .collect();
        let raw = actix_web::web::Query::<RawAlbumsQuery>::from_query(&query.join("&")).expect("raw");
        AlbumListing::try_from(raw.into_inner())
    }

    #[test]
    fn an_offset_pages_any_order_and_a_cursor_only_titles() {
        let newest = listing(&[("sort", "added"), ("order", "desc"), ("offset", "40")]).expect("valid");
        assert_eq!((newest.sort, newest.order), (AlbumSort::Added, SortOrder::Desc));
        assert_eq!(newest.start, AlbumPage::Offset(40));
        let cursor = crate::domain::cursor::encode(&NameKey("abba".into(), uuid::Uuid::nil()));
        assert!(listing(&[("sort", "artist"), ("cursor", &cursor)]).is_err());
        assert!(listing(&[("cursor", &cursor), ("offset", "1")]).is_err());
        assert!(listing(&[("cursor", &cursor)]).is_ok());
    }

    #[test]
    fn bad_values_are_refused_naming_the_parameter() {
        for (name, value) in [
            ("sort", "plays"),
            ("order", "up"),
            ("offset", "-1"),
            ("year", "soon"),
        ] {
            let error = listing(&[(name, value)]).expect_err(name);
            assert!(error.to_string().contains(name), "{name}: {error}");
        }
    }
}
