//! `GET albums`, `albums/{id}`, `artists`, `artists/{id}`, `genres`.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::{
    AppState, CatalogError, CatalogResult,
    album_params::RawAlbumsQuery,
    dto,
    params::{parse_cursor, parse_id, parse_limit, parse_offset},
};
use crate::{
    domain::{
        Subject,
        album_listing::{AlbumFilters, AlbumListing, AlbumSort},
        cursor::{self, NameKey},
        listing::SortOrder,
    },
    store::{library, songs},
};

/// Query of the artist list.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ListQuery {
    /// 1..500, default 50.
    pub limit: Option<String>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Artists skipped before the page (0..1000000), instead of a cursor.
    pub offset: Option<String>,
}

/// The cursor after an album or artist: its folded name and id.
fn name_cursor(sort_key: &str, id: uuid::Uuid) -> String {
    cursor::encode(&NameKey(sort_key.to_owned(), id))
}

/// Albums by title (with a cursor to the next page), or in another order
/// paged by `offset`.
#[utoipa::path(get, path = "/api/catalog/albums", params(RawAlbumsQuery),
    responses((status = 200, body = dto::Page<dto::Album>), (status = 400)))]
pub async fn albums(
    state: web::Data<AppState>,
    req: HttpRequest,
    query: web::Query<RawAlbumsQuery>,
) -> CatalogResult<HttpResponse> {
    let listing = AlbumListing::try_from(query.into_inner())?;
    if listing.sort == AlbumSort::Random {
        return Ok(HttpResponse::Ok().json(album_page(&state, listing).await?));
    }
    state.kept.json(&req, || album_page(&state, listing)).await
}

async fn album_page(state: &AppState, mut listing: AlbumListing) -> CatalogResult<dto::Page<dto::Album>> {
    let limit = listing.limit;
    // One more than asked tells whether a next page exists.
    listing.limit += 1;
    let albums = library::albums(state.db()?, &listing).await?;
    let by_title = listing.sort == AlbumSort::Title && listing.order == SortOrder::Asc;
    let mut page = page(
        albums,
        limit,
        |album| name_cursor(&album.sort_key, album.id),
        |album| dto::Album::from(album),
    );
    if !by_title {
        // Other orders page by offset: the next one is `offset + limit`.
        page.next_cursor = None;
    }
    Ok(page)
}

fn page<R, T>(
    mut rows: Vec<R>,
    limit: u32,
    cursor: impl Fn(&R) -> String,
    map: impl Fn(&R) -> T,
) -> dto::Page<T> {
    let next_cursor = if rows.len() > limit as usize {
        rows.truncate(limit as usize);
        rows.last().map(cursor)
    } else {
        None
    };
    dto::Page {
        items: rows.iter().map(map).collect(),
        next_cursor,
    }
}

/// One album with its tracks in disc and track order.
#[utoipa::path(get, path = "/api/catalog/albums/{id}",
    responses((status = 200, body = dto::AlbumDetail), (status = 400), (status = 404)))]
pub async fn album(state: web::Data<AppState>, id: web::Path<String>) -> CatalogResult<HttpResponse> {
    let id = parse_id(&id, "album")?;
    let pool = state.db()?;
    let album = library::album(pool, id)
        .await?
        .ok_or_else(|| CatalogError::not_found(format!("album {id}")))?;
    let tracks = songs::of_album(pool, id).await?;
    let details = state.details.details(Subject::Album(&album)).await;
    Ok(HttpResponse::Ok().json(dto::AlbumDetail {
        album: dto::Album::from(&album),
        songs: tracks.iter().map(dto::Song::from).collect(),
        details,
    }))
}

/// Artists by name.
#[utoipa::path(get, path = "/api/catalog/artists", params(ListQuery),
    responses((status = 200, body = dto::Page<dto::Artist>), (status = 400)))]
pub async fn artists(
    state: web::Data<AppState>,
    query: web::Query<ListQuery>,
) -> CatalogResult<HttpResponse> {
    let limit = parse_limit(query.limit.as_deref())?;
    let after: Option<NameKey> = parse_cursor(query.cursor.as_deref())?;
    let offset = parse_offset(query.offset.as_deref(), after.is_some())?;
    let artists = library::artists(state.db()?, after.as_ref(), offset, limit + 1).await?;
    Ok(HttpResponse::Ok().json(page(
        artists,
        limit,
        |artist| name_cursor(&artist.sort_key, artist.id),
        |artist| dto::Artist::from(artist),
    )))
}

/// One artist with its albums.
#[utoipa::path(get, path = "/api/catalog/artists/{id}",
    responses((status = 200, body = dto::ArtistDetail), (status = 400), (status = 404)))]
pub async fn artist(state: web::Data<AppState>, id: web::Path<String>) -> CatalogResult<HttpResponse> {
    let id = parse_id(&id, "artist")?;
    let pool = state.db()?;
    let artist = library::artist(pool, id)
        .await?
        .ok_or_else(|| CatalogError::not_found(format!("artist {id}")))?;
    let of_artist = AlbumFilters {
        artist: Some(id),
        ..AlbumFilters::default()
    };
    let albums = library::albums(pool, &AlbumListing::by_title(of_artist, 500)).await?;
    let details = state.details.details(Subject::Artist(&artist)).await;
    Ok(HttpResponse::Ok().json(dto::ArtistDetail {
        artist: dto::Artist::from(&artist),
        albums: albums.iter().map(dto::Album::from).collect(),
        details,
    }))
}

/// Every artist in name order with their number of albums, in one answer
/// (for the artist indexes of apps).
#[utoipa::path(get, path = "/api/catalog/artists/index",
    responses((status = 200, body = Vec<dto::IndexedArtist>)))]
pub async fn artist_index(state: web::Data<AppState>, req: HttpRequest) -> CatalogResult<HttpResponse> {
    state
        .kept
        .json(&req, || async {
            let artists = library::artist_index(state.db()?).await?;
            Ok(artists.iter().map(dto::IndexedArtist::from).collect::<Vec<_>>())
        })
        .await
}

/// Every genre with its number of songs.
#[utoipa::path(get, path = "/api/catalog/genres", responses((status = 200, body = Vec<dto::Genre>)))]
pub async fn genres(state: web::Data<AppState>, req: HttpRequest) -> CatalogResult<HttpResponse> {
    state
        .kept
        .json(&req, || async {
            let genres = library::genres(state.db()?).await?;
            Ok(genres.iter().map(dto::Genre::from).collect::<Vec<_>>())
        })
        .await
}
