//! Admin: Internet sources.

use actix_web::{HttpRequest, HttpResponse, web};
use common::ApiError;

use super::{AppState, admin::require_admin};

fn todo_response() -> ApiError {
    ApiError::new(
        actix_web::http::StatusCode::NOT_IMPLEMENTED,
        "not_implemented",
        "not yet",
    )
}

pub async fn add(req: HttpRequest, _state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    require_admin(&req)?;
    Err(todo_response())
}

pub async fn list(req: HttpRequest, _state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    require_admin(&req)?;
    Err(todo_response())
}

pub async fn delete(req: HttpRequest, _state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    require_admin(&req)?;
    Err(todo_response())
}

pub async fn refresh(req: HttpRequest, _state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    require_admin(&req)?;
    Err(todo_response())
}
