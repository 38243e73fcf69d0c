//! `GET albums`, `albums/{id}`, `artists`, `artists/{id}`, `genres`.

use actix_web::{HttpResponse, web};
use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
use common::ApiError;
use serde::Deserialize;
use uuid::Uuid;

use super::{AppState, db_error, dto};
use crate::{
    ids::parse_id,
    query::parse_limit,
    repository::Subject,
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

fn encode(key: &str, id: Uuid) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(&(key, id)).unwrap_or_default())
}

fn decode(cursor: Option<&str>) -> Result<Option<(String, Uuid)>, ApiError> {
    let Some(text) = cursor.map(str::trim).filter(|text| !text.is_empty()) else {
        return Ok(None);
    };
    URL_SAFE_NO_PAD
        .decode(text)
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .map(Some)
        .ok_or_else(|| {
            ApiError::bad_request(
                "invalid_parameter",
                "query parameter `cursor` is invalid: expected the next_cursor of a previous page",
            )
        })
}

/// Albums by title.
#[utoipa::path(get, path = "/api/catalog/albums", params(ListQuery),
    responses((status = 200, body = dto::Page<dto::Album>), (status = 400)))]
pub async fn albums(
    state: web::Data<AppState>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    let limit = parse_limit(query.limit.as_deref())?;
    let after = decode(query.cursor.as_deref())?;
    let artist = query
        .artist
        .as_deref()
        .map(|text| parse_id(text, "artist"))
        .transpose()?;
    let rows = library::albums(state.db()?, artist, after.as_ref(), limit + 1)
        .await
        .map_err(db_error)?;
    Ok(HttpResponse::Ok().json(page(
        rows,
        limit,
        |row| encode(&row.sort_key, row.id),
        |row| dto::Album::from(row),
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
pub async fn album(state: web::Data<AppState>, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let id = parse_id(&id, "album")?;
    let pool = state.db()?;
    let row = library::album(pool, id)
        .await
        .map_err(db_error)?
        .ok_or_else(|| ApiError::not_found(format!("album {id}")))?;
    let tracks = songs::of_album(pool, id).await.map_err(db_error)?;
    let details = state.index.details(Subject::Album(&row)).await;
    Ok(HttpResponse::Ok().json(dto::AlbumDetail {
        album: dto::Album::from(&row),
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
) -> Result<HttpResponse, ApiError> {
    let limit = parse_limit(query.limit.as_deref())?;
    let after = decode(query.cursor.as_deref())?;
    let rows = library::artists(state.db()?, after.as_ref(), limit + 1)
        .await
        .map_err(db_error)?;
    Ok(HttpResponse::Ok().json(page(
        rows,
        limit,
        |row| encode(&row.sort_key, row.id),
        |row| dto::Artist::from(row),
    )))
}

/// One artist with its albums.
#[utoipa::path(get, path = "/api/catalog/artists/{id}",
    responses((status = 200, body = dto::ArtistDetail), (status = 400), (status = 404)))]
pub async fn artist(state: web::Data<AppState>, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let id = parse_id(&id, "artist")?;
    let pool = state.db()?;
    let row = library::artist(pool, id)
        .await
        .map_err(db_error)?
        .ok_or_else(|| ApiError::not_found(format!("artist {id}")))?;
    let albums = library::albums(pool, Some(id), None, 500)
        .await
        .map_err(db_error)?;
    let details = state.index.details(Subject::Artist(&row)).await;
    Ok(HttpResponse::Ok().json(dto::ArtistDetail {
        artist: dto::Artist::from(&row),
        albums: albums.iter().map(dto::Album::from).collect(),
        details,
    }))
}

/// Every genre with its number of songs.
#[utoipa::path(get, path = "/api/catalog/genres", responses((status = 200, body = Vec<dto::Genre>)))]
pub async fn genres(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let rows = library::genres(state.db()?).await.map_err(db_error)?;
    let genres: Vec<dto::Genre> = rows
        .into_iter()
        .map(|(name, song_count)| dto::Genre { name, song_count })
        .collect();
    Ok(HttpResponse::Ok().json(genres))
}
