//! `GET songs/{id}/cover`, `GET albums/{id}/cover` with `?size=`.

use actix_web::{HttpRequest, HttpResponse, http::header, web};
use common::ApiError;
use serde::Deserialize;

use super::{AppState, db_error};
use crate::{covers::SIZES, ids::parse_id, store::songs};

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct CoverQuery {
    /// Largest side in pixels (16..2048); the original when absent.
    pub size: Option<String>,
}

fn parse_size(size: Option<&str>) -> Result<Option<u32>, ApiError> {
    size.map(|text| {
        text.trim()
            .parse::<u32>()
            .ok()
            .filter(|size| SIZES.contains(size))
            .ok_or_else(|| {
                ApiError::bad_request(
                    "invalid_parameter",
                    "query parameter `size` is invalid: expected a number of pixels from 16 to 2048",
                )
            })
    })
    .transpose()
}

/// The cover of a song.
#[utoipa::path(get, path = "/api/catalog/songs/{id}/cover", params(CoverQuery),
    responses((status = 200, description = "image bytes"), (status = 304), (status = 404)))]
pub async fn song_cover(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    query: web::Query<CoverQuery>,
) -> Result<HttpResponse, ApiError> {
    let id = parse_id(&id, "song")?;
    let size = parse_size(query.size.as_deref())?;
    let song = songs::get(state.db()?, id)
        .await
        .map_err(db_error)?
        .ok_or_else(|| ApiError::not_found(format!("song {id}")))?;
    serve(&req, &state, &song, size, &format!("cover of song {id}")).await
}

/// The cover of an album: that of its first track with one.
#[utoipa::path(get, path = "/api/catalog/albums/{id}/cover", params(CoverQuery),
    responses((status = 200, description = "image bytes"), (status = 304), (status = 404)))]
pub async fn album_cover(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    query: web::Query<CoverQuery>,
) -> Result<HttpResponse, ApiError> {
    let id = parse_id(&id, "album")?;
    let size = parse_size(query.size.as_deref())?;
    let tracks = songs::of_album(state.db()?, id).await.map_err(db_error)?;
    if tracks.is_empty() {
        return Err(ApiError::not_found(format!("album {id}")));
    }
    let song = tracks
        .iter()
        .find(|song| song.has_cover())
        .ok_or_else(|| ApiError::not_found(format!("cover of album {id}")))?;
    serve(&req, &state, song, size, &format!("cover of album {id}")).await
}

async fn serve(
    req: &HttpRequest,
    state: &AppState,
    song: &songs::SongRow,
    size: Option<u32>,
    what: &str,
) -> Result<HttpResponse, ApiError> {
    let cover = state
        .covers
        .cover(song, size)
        .await
        .map_err(ApiError::internal)?
        .ok_or_else(|| ApiError::not_found(what))?;
    let cache = (header::CACHE_CONTROL, "public, max-age=604800");
    let matches = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.split(',').any(|tag| tag.trim() == cover.etag));
    if matches {
        return Ok(HttpResponse::NotModified()
            .insert_header((header::ETAG, cover.etag))
            .insert_header(cache)
            .finish());
    }
    Ok(HttpResponse::Ok()
        .content_type(cover.content_type)
        .insert_header((header::ETAG, cover.etag))
        .insert_header(cache)
        .body(cover.bytes))
}
