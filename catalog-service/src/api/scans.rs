//! Admin: `POST scans`, `GET scans/current`, `GET scan-errors`.

use actix_web::{HttpRequest, HttpResponse, web};
use common::ApiError;
use serde::Deserialize;

use super::{AppState, admin::require_admin, db_error};
use crate::{
    query::parse_limit,
    repository::local::{progress::ScanProgress, scanner::NotStarted, store::ScanErrorRow},
};

/// Starts a scan of the music folders; 409 while one runs (on any replica).
#[utoipa::path(post, path = "/api/catalog/scans",
    responses((status = 202, body = ScanProgress), (status = 403), (status = 409)))]
pub async fn start(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    require_admin(&req)?;
    state.db()?;
    let progress = state.scanner.start("api").await.map_err(|error| match error {
        NotStarted::AlreadyRunning => ApiError::conflict("scan_running", "a scan is already running"),
        NotStarted::Database(error) => db_error(error),
    })?;
    Ok(HttpResponse::Accepted().json(progress))
}

/// The running scan, or the last one, of any replica; 404 when none ran.
#[utoipa::path(get, path = "/api/catalog/scans/current",
    responses((status = 200, body = ScanProgress), (status = 403), (status = 404)))]
pub async fn current(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    require_admin(&req)?;
    let progress = state
        .scanner
        .current_anywhere()
        .await
        .ok_or_else(|| ApiError::not_found("a scan"))?;
    Ok(HttpResponse::Ok().json(progress))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ErrorsQuery {
    pub limit: Option<String>,
    /// The last id of the previous page.
    pub after: Option<String>,
}

/// Files and folders the last scan could not read.
#[utoipa::path(get, path = "/api/catalog/scan-errors", params(ErrorsQuery),
    responses((status = 200, body = Vec<ScanErrorRow>), (status = 403)))]
pub async fn errors(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<ErrorsQuery>,
) -> Result<HttpResponse, ApiError> {
    require_admin(&req)?;
    let limit = parse_limit(query.limit.as_deref().or(Some("500")))?;
    let after = match query.after.as_deref() {
        None => 0,
        Some(text) => text.trim().parse::<i64>().map_err(|_| {
            ApiError::bad_request(
                "invalid_parameter",
                "query parameter `after` is invalid: expected an id",
            )
        })?,
    };
    let rows = crate::repository::local::store::scan_errors(state.db()?, after, i64::from(limit))
        .await
        .map_err(db_error)?;
    Ok(HttpResponse::Ok().json(rows))
}
