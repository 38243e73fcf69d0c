//! Admin: `POST sources`, `GET sources`, `DELETE sources/{id}`,
//! `POST sources/{id}/refresh`; anyone: `GET channels`.

use actix_web::{HttpResponse, web};
use common::caller::Admin;
use serde::Deserialize;

use super::{AppState, CatalogResult, dto, params::parse_id};

/// The body of `POST sources`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct NewSource {
    /// A direct audio URL, an M3U/PLS playlist or a podcast feed (http/https).
    pub url: String,
}

/// Adds a source and imports its songs; 422 names why a URL is refused.
#[utoipa::path(post, path = "/api/catalog/sources", request_body = NewSource,
    responses((status = 201, body = dto::Source), (status = 403), (status = 409), (status = 422)))]
pub async fn add(
    _admin: Admin,
    state: web::Data<AppState>,
    body: web::Json<NewSource>,
) -> CatalogResult<HttpResponse> {
    state.db()?;
    let source = state.internet.add(&body.url).await?;
    Ok(HttpResponse::Created().json(dto::Source::from(&source)))
}

/// Every source with its last refresh and error.
#[utoipa::path(get, path = "/api/catalog/sources", responses((status = 200, body = Vec<dto::Source>), (status = 403)))]
pub async fn list(_admin: Admin, state: web::Data<AppState>) -> CatalogResult<HttpResponse> {
    state.db()?;
    let sources = state.internet.list().await?;
    Ok(HttpResponse::Ok().json(sources.iter().map(dto::Source::from).collect::<Vec<_>>()))
}

/// Every source as listeners see it (no URL, no error): what apps list
/// as podcasts and radio stations.
#[utoipa::path(get, path = "/api/catalog/channels", responses((status = 200, body = Vec<dto::Channel>)))]
pub async fn channels(state: web::Data<AppState>) -> CatalogResult<HttpResponse> {
    state.db()?;
    let sources = state.internet.list().await?;
    Ok(HttpResponse::Ok().json(sources.iter().map(dto::Channel::from).collect::<Vec<_>>()))
}

/// Deletes a source and its songs.
#[utoipa::path(delete, path = "/api/catalog/sources/{id}", responses((status = 204), (status = 403), (status = 404)))]
pub async fn delete(
    _admin: Admin,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> CatalogResult<HttpResponse> {
    let id = parse_id(&id, "source")?;
    state.db()?;
    state.internet.delete(id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Fetches a source again now; a failure is shown in `last_error`.
#[utoipa::path(post, path = "/api/catalog/sources/{id}/refresh",
    responses((status = 200, body = dto::Source), (status = 403), (status = 404)))]
pub async fn refresh(
    _admin: Admin,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> CatalogResult<HttpResponse> {
    let id = parse_id(&id, "source")?;
    state.db()?;
    let source = state.internet.refresh(id).await?;
    Ok(HttpResponse::Ok().json(dto::Source::from(&source)))
}
