//! `GET albums`, `albums/{id}`, `artists`, `artists/{id}`, `genres`.

use actix_web::{HttpResponse, web};
use serde::Deserialize;

use super::{
    AppState, CatalogError, CatalogResult, dto,
    params::{parse_cursor, parse_id, parse_limit},
};
use crate::{
    domain::{
        Subject,
        cursor::{self, NameKey},
    },
    store::{library, songs},
};

/// Query of the album and artist lists.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ListQuery {
    /// 1..500, default 50.
    pub limit: Option<String>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Albums only: an artist id.
    pub artist: Option<String>,
}

/// The cursor after an album or artist: its folded name and id.
fn name_cursor(sort_key: &str, id: uuid::Uuid) -> String {
    cursor::encode(&NameKey(sort_key.to_owned(), id))
}

/// Albums by title.
#[utoipa::path(get, path = "/api/catalog/albums", params(ListQuery),
    responses((status = 200, body = dto::Page<dto::Album>), (status = 400)))]
pub async fn albums(state: web::Data<AppState>, query: web::Query<ListQuery>) -> CatalogResult<HttpResponse> {
    let limit = parse_limit(query.limit.as_deref())?;
    let after: Option<NameKey> = parse_cursor(query.cursor.as_deref())?;
    let artist = query
        .artist
        .as_deref()
        .map(|text| parse_id(text, "artist"))
        .transpose()?;
    let albums = library::albums(state.db()?, artist, after.as_ref(), limit + 1).await?;
    Ok(HttpResponse::Ok().json(page(
        albums,
        limit,
        |album| name_cursor(&album.sort_key, album.id),
        |album| dto::Album::from(album),
    )))
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
    let artists = library::artists(state.db()?, after.as_ref(), limit + 1).await?;
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
    let albums = library::albums(pool, Some(id), None, 500).await?;
    let details = state.details.details(Subject::Artist(&artist)).await;
    Ok(HttpResponse::Ok().json(dto::ArtistDetail {
        artist: dto::Artist::from(&artist),
        albums: albums.iter().map(dto::Album::from).collect(),
        details,
    }))
}

/// Every genre with its number of songs.
#[utoipa::path(get, path = "/api/catalog/genres", responses((status = 200, body = Vec<dto::Genre>)))]
pub async fn genres(state: web::Data<AppState>) -> CatalogResult<HttpResponse> {
    let genres = library::genres(state.db()?).await?;
    Ok(HttpResponse::Ok().json(genres.iter().map(dto::Genre::from).collect::<Vec<_>>()))
}
