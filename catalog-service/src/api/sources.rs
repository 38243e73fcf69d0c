//! Admin: `POST sources`, `GET sources`, `DELETE sources/{id}`,
//! `POST sources/{id}/refresh`.

use actix_web::{HttpRequest, HttpResponse, web};
use common::ApiError;
use serde::Deserialize;

use super::{AppState, admin::require_admin};
use crate::{ids::parse_id, repository::internet::store::SourceRow};

/// The body of `POST sources`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct NewSource {
    /// A direct audio URL, an M3U/PLS playlist or a podcast feed (http/https).
    pub url: String,
}

/// Adds a source and imports its songs; 422 names why a URL is refused.
#[utoipa::path(post, path = "/api/catalog/sources", request_body = NewSource,
    responses((status = 201, body = SourceRow), (status = 403), (status = 409), (status = 422)))]
pub async fn add(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Json<NewSource>,
) -> Result<HttpResponse, ApiError> {
    require_admin(&req)?;
    state.db()?;
    let source = state.sources.add(&body.url).await?;
    Ok(HttpResponse::Created().json(source))
}

/// Every source with its last refresh and error.
#[utoipa::path(get, path = "/api/catalog/sources", responses((status = 200, body = Vec<SourceRow>), (status = 403)))]
pub async fn list(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    require_admin(&req)?;
    state.db()?;
    Ok(HttpResponse::Ok().json(state.sources.list().await?))
}

/// Deletes a source and its songs.
#[utoipa::path(delete, path = "/api/catalog/sources/{id}", responses((status = 204), (status = 403), (status = 404)))]
pub async fn delete(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    require_admin(&req)?;
    let id = parse_id(&id, "source")?;
    state.db()?;
    state.sources.delete(id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Fetches a source again now; a failure is shown in `last_error`.
#[utoipa::path(post, path = "/api/catalog/sources/{id}/refresh",
    responses((status = 200, body = SourceRow), (status = 403), (status = 404)))]
pub async fn refresh(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    require_admin(&req)?;
    let id = parse_id(&id, "source")?;
    state.db()?;
    Ok(HttpResponse::Ok().json(state.sources.refresh(id).await?))
}
