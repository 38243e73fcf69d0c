//! Admin: `POST scans`, `GET scans/current`, `GET scan-errors`.

use actix_web::{HttpResponse, web};
use common::caller::Admin;
use serde::Deserialize;

use super::{AppState, CatalogError, CatalogResult, dto, params::parse_limit};
use crate::{sources::local::scanner::NotStarted, store::scans};

/// Starts a scan of the music folders; 409 while one runs (on any replica).
#[utoipa::path(post, path = "/api/catalog/scans",
    responses((status = 202, body = dto::ScanProgress), (status = 403), (status = 409)))]
pub async fn start(_admin: Admin, state: web::Data<AppState>) -> CatalogResult<HttpResponse> {
    state.db()?;
    let progress = state.scanner.start("api").await.map_err(|error| match error {
        NotStarted::AlreadyRunning => CatalogError::ScanRunning,
        NotStarted::Database(error) => CatalogError::Database(error),
    })?;
    Ok(HttpResponse::Accepted().json(dto::ScanProgress::from(&progress)))
}

/// The running scan, or the last one, of any replica; 404 when none ran.
#[utoipa::path(get, path = "/api/catalog/scans/current",
    responses((status = 200, body = dto::ScanProgress), (status = 403), (status = 404)))]
pub async fn current(_admin: Admin, state: web::Data<AppState>) -> CatalogResult<HttpResponse> {
    let progress = state
        .scanner
        .current_anywhere()
        .await
        .ok_or_else(|| CatalogError::not_found("a scan"))?;
    Ok(HttpResponse::Ok().json(dto::ScanProgress::from(&progress)))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ErrorsQuery {
    pub limit: Option<String>,
    /// The last id of the previous page.
    pub after: Option<String>,
}

/// Files and folders the last scan could not read (errors) or read in
/// part (warnings).
#[utoipa::path(get, path = "/api/catalog/scan-errors", params(ErrorsQuery),
    responses((status = 200, body = Vec<dto::ScanError>), (status = 403)))]
pub async fn errors(
    _admin: Admin,
    state: web::Data<AppState>,
    query: web::Query<ErrorsQuery>,
) -> CatalogResult<HttpResponse> {
    let limit = parse_limit(query.limit.as_deref().or(Some("500")))?;
    let after = match query.after.as_deref() {
        None => 0,
        Some(text) => text
            .trim()
            .parse::<i64>()
            .map_err(|_| CatalogError::invalid("after", "expected an id"))?,
    };
    let errors = scans::scan_errors(state.db()?, after, i64::from(limit)).await?;
    Ok(HttpResponse::Ok().json(errors.iter().map(dto::ScanError::from).collect::<Vec<_>>()))
}
