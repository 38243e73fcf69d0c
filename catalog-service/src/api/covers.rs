//! `GET songs/{id}/cover`, `GET albums/{id}/cover` with `?size=`.
//!
//! A cover is served from the Tonearm origin, so it must never be read as
//! a page: it always has an image content type, `nosniff`, and a sandbox
//! policy (set on every answer of these routes by [`headers`]).

use actix_web::{HttpRequest, HttpResponse, http::header, middleware::DefaultHeaders, web};
use serde::Deserialize;

use super::{AppState, CatalogError, CatalogResult, params::parse_id};
use crate::{covers::CoverSize, domain::Song, store::songs};

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct CoverQuery {
    /// Largest side in pixels, answered at the step at or above it (64,
    /// 128, 256, 512 or 1024); the original when absent.
    pub size: Option<String>,
}

/// The headers of every cover answer, errors included.
pub fn headers() -> DefaultHeaders {
    DefaultHeaders::new()
        .add((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .add((header::CONTENT_SECURITY_POLICY, "sandbox"))
}

fn parse_size(size: Option<&str>) -> CatalogResult<Option<CoverSize>> {
    size.map(|text| {
        text.parse::<CoverSize>()
            .map_err(|error| CatalogError::invalid("size", error.to_string()))
    })
    .transpose()
}

/// The cover of a song.
#[utoipa::path(get, path = "/api/catalog/songs/{id}/cover", params(CoverQuery),
    responses((status = 200, description = "image bytes"), (status = 304), (status = 404),
        (status = 422, description = "the image is too large to decode or not an image")))]
pub async fn song_cover(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    query: web::Query<CoverQuery>,
) -> CatalogResult<HttpResponse> {
    let id = parse_id(&id, "song")?;
    let size = parse_size(query.size.as_deref())?;
    let song = songs::get(state.db()?, id)
        .await?
        .ok_or_else(|| CatalogError::not_found(format!("song {id}")))?;
    serve(&req, &state, &song, size, &format!("cover of song {id}")).await
}

/// The cover of an album: that of its first track with one.
#[utoipa::path(get, path = "/api/catalog/albums/{id}/cover", params(CoverQuery),
    responses((status = 200, description = "image bytes"), (status = 304), (status = 404),
        (status = 422, description = "the image is too large to decode or not an image")))]
pub async fn album_cover(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    query: web::Query<CoverQuery>,
) -> CatalogResult<HttpResponse> {
    let id = parse_id(&id, "album")?;
    let size = parse_size(query.size.as_deref())?;
    let tracks = songs::of_album(state.db()?, id).await?;
    if tracks.is_empty() {
        return Err(CatalogError::not_found(format!("album {id}")));
    }
    let song = tracks
        .iter()
        .find(|song| song.has_cover())
        .ok_or_else(|| CatalogError::not_found(format!("cover of album {id}")))?;
    serve(&req, &state, song, size, &format!("cover of album {id}")).await
}

async fn serve(
    req: &HttpRequest,
    state: &AppState,
    song: &Song,
    size: Option<CoverSize>,
    what: &str,
) -> CatalogResult<HttpResponse> {
    let cover = state
        .covers
        .cover(song, size)
        .await?
        .ok_or_else(|| CatalogError::not_found(what))?;
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
