//! `PUT`/`DELETE favourites/{kind}/{id}`, `GET favourites`,
//! `GET favourites/ids`: the caller's stars.

use actix_web::{HttpResponse, web};

use super::{AppState, CatalogError, CatalogResult, dto, params::parse_id, signed_in::SignedIn};
use crate::{domain::favourites::FavouriteKind, store::favourites};

/// `{kind}/{id}` of a favourite route.
fn target(path: &(String, String)) -> CatalogResult<(FavouriteKind, uuid::Uuid)> {
    let kind = FavouriteKind::from_plural(&path.0)
        .ok_or_else(|| CatalogError::not_found(format!("favourite kind {:?}", path.0)))?;
    Ok((kind, parse_id(&path.1, kind.name())?))
}

/// Stars a song, album or artist (`kind` = `songs`, `albums`, `artists`).
/// Starring twice is harmless and keeps the first time.
#[utoipa::path(put, path = "/api/catalog/favourites/{kind}/{id}",
    params(("kind" = String, Path, description = "songs, albums or artists"), ("id" = String, Path)),
    responses((status = 204), (status = 400), (status = 401), (status = 404, description = "no such item")))]
pub async fn star(
    state: web::Data<AppState>,
    SignedIn(user): SignedIn,
    path: web::Path<(String, String)>,
) -> CatalogResult<HttpResponse> {
    let (kind, id) = target(&path)?;
    if !favourites::star(state.db()?, &user, kind, id).await? {
        return Err(CatalogError::not_found(format!("{} {id}", kind.name())));
    }
    Ok(HttpResponse::NoContent().finish())
}

/// Removes a star; removing one that is not there is harmless.
#[utoipa::path(delete, path = "/api/catalog/favourites/{kind}/{id}",
    params(("kind" = String, Path, description = "songs, albums or artists"), ("id" = String, Path)),
    responses((status = 204), (status = 400), (status = 401)))]
pub async fn unstar(
    state: web::Data<AppState>,
    SignedIn(user): SignedIn,
    path: web::Path<(String, String)>,
) -> CatalogResult<HttpResponse> {
    let (kind, id) = target(&path)?;
    favourites::unstar(state.db()?, &user, kind, id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Everything the caller starred, newest first in each kind.
#[utoipa::path(get, path = "/api/catalog/favourites",
    responses((status = 200, body = dto::Favourites), (status = 401)))]
pub async fn list(state: web::Data<AppState>, SignedIn(user): SignedIn) -> CatalogResult<HttpResponse> {
    let found = favourites::list(state.db()?, &user).await?;
    Ok(HttpResponse::Ok().json(dto::Favourites::from(&found)))
}

/// The ids of everything the caller starred.
#[utoipa::path(get, path = "/api/catalog/favourites/ids",
    responses((status = 200, body = dto::FavouriteIds), (status = 401)))]
pub async fn ids(state: web::Data<AppState>, SignedIn(user): SignedIn) -> CatalogResult<HttpResponse> {
    let ids = favourites::ids(state.db()?, &user).await?;
    Ok(HttpResponse::Ok().json(dto::FavouriteIds::from(&ids)))
}

/// When the caller starred each of their favourites, by id (for clients
/// that mark starred items with the time, as Subsonic apps do).
#[utoipa::path(get, path = "/api/catalog/favourites/times",
    responses((status = 200, body = dto::FavouriteTimes), (status = 401)))]
pub async fn times(state: web::Data<AppState>, SignedIn(user): SignedIn) -> CatalogResult<HttpResponse> {
    let ids = favourites::ids(state.db()?, &user).await?;
    Ok(HttpResponse::Ok().json(dto::FavouriteTimes::from(&ids)))
}
