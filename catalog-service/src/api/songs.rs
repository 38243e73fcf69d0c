//! `GET songs`, `GET songs/{id}`.

use actix_web::{HttpResponse, web};
use common::caller::Caller;

use super::{
    AppState, CatalogError, CatalogResult, dto,
    params::{RawSongsQuery, parse_id},
};
use crate::{
    domain::{Subject, cursor, listing::SongListing},
    store::songs,
};

/// Songs with filters, sort and keyset pagination.
#[utoipa::path(get, path = "/api/catalog/songs", params(RawSongsQuery),
    responses((status = 200, body = dto::Page<dto::Song>), (status = 400, description = "a parameter is invalid")))]
pub async fn list(
    state: web::Data<AppState>,
    query: web::Query<RawSongsQuery>,
) -> CatalogResult<HttpResponse> {
    let listing = SongListing::try_from(query.into_inner())?;
    let (songs, next) = songs::page(state.db()?, &listing).await?;
    Ok(HttpResponse::Ok().json(dto::Page {
        items: songs.iter().map(dto::Song::from).collect(),
        next_cursor: next.map(|next| cursor::encode(&next)),
    }))
}

/// One song with every tag, technical details and repository details. The
/// origin URL of an Internet song is shown to admins only: a private feed
/// carries its subscriber's token in it.
#[utoipa::path(get, path = "/api/catalog/songs/{id}",
    responses((status = 200, body = dto::SongDetail), (status = 400), (status = 404)))]
pub async fn get(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> CatalogResult<HttpResponse> {
    let id = parse_id(&id, "song")?;
    let song = songs::get(state.db()?, id)
        .await?
        .ok_or_else(|| CatalogError::not_found(format!("song {id}")))?;
    let details = state.details.details(Subject::Song(&song)).await;
    let mut detail = dto::SongDetail::new(&song, details);
    detail.lyrics = songs::lyrics(state.db()?, id).await?;
    if !caller.is_admin() {
        detail.url = None;
    }
    Ok(HttpResponse::Ok().json(detail))
}
