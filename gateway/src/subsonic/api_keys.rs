//! The routes a signed-in user manages their own Subsonic credentials
//! with: `/api/auth/api-keys` and `/api/auth/app-password`.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::credentials::ApiKeyView;
use crate::{
    auth::{Caller, Session, password},
    error::GatewayError,
    state::Gateway,
};

/// `POST /api/auth/api-keys` body.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct NewApiKey {
    /// What the key is for ("phone"), 1 to 100 characters.
    pub name: String,
}

/// A key just created: the only time `key` is shown.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CreatedApiKey {
    #[serde(flatten)]
    pub view: ApiKeyView,
    pub key: String,
}

/// Mounts the routes under `/api/auth/` for Subsonic credentials.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/api/auth/api-keys", web::get().to(list_keys))
        .route("/api/auth/api-keys", web::post().to(create_key))
        .route("/api/auth/api-keys/{id}", web::delete().to(revoke_key))
        .route("/api/auth/app-password", web::post().to(create_app_password))
        .route("/api/auth/app-password", web::delete().to(delete_app_password));
}

async fn signed_in(gateway: &Gateway, req: &HttpRequest) -> Result<Session, GatewayError> {
    match gateway.caller(req).await? {
        Caller::Signed(session) => Ok(session),
        Caller::Anonymous => Err(GatewayError::NotSignedIn),
    }
}

/// Lists the caller's API keys.
#[utoipa::path(get, path = "/api/auth/api-keys", tag = "auth",
    responses((status = 200, body = [ApiKeyView]), (status = 401, description = "Not signed in")))]
pub async fn list_keys(req: HttpRequest, gateway: web::Data<Gateway>) -> Result<HttpResponse, GatewayError> {
    let session = signed_in(&gateway, &req).await?;
    let keys = gateway.subsonic.list_keys(session.data.user_id).await?;
    Ok(HttpResponse::Ok().json(keys))
}

/// Creates an API key for the caller; 201 with the key, shown only now.
#[utoipa::path(post, path = "/api/auth/api-keys", tag = "auth", request_body = NewApiKey,
    responses((status = 201, body = CreatedApiKey), (status = 400, description = "Bad name"),
        (status = 401, description = "Not signed in")))]
pub async fn create_key(
    req: HttpRequest,
    gateway: web::Data<Gateway>,
    body: web::Json<NewApiKey>,
) -> Result<HttpResponse, GatewayError> {
    let session = signed_in(&gateway, &req).await?;
    let name = body.name.trim();
    if !(1..=100).contains(&name.chars().count()) {
        return Err(GatewayError::Invalid("name: expected 1 to 100 characters".into()));
    }
    let (view, key) = gateway.subsonic.create_key(session.data.user_id, name).await?;
    Ok(HttpResponse::Created().json(CreatedApiKey { view, key }))
}

/// Revokes one of the caller's keys; another user's key is 404 like an
/// unknown one.
#[utoipa::path(delete, path = "/api/auth/api-keys/{id}", tag = "auth",
    params(("id" = String, Path, description = "The key's id")),
    responses((status = 204, description = "Revoked"), (status = 404, description = "No such key of yours")))]
pub async fn revoke_key(
    req: HttpRequest,
    gateway: web::Data<Gateway>,
    id: web::Path<String>,
) -> Result<HttpResponse, GatewayError> {
    let session = signed_in(&gateway, &req).await?;
    let id = Uuid::parse_str(&id).map_err(|_| GatewayError::NotFound("no such API key".into()))?;
    if gateway.subsonic.revoke_key(session.data.user_id, id).await? {
        Ok(HttpResponse::NoContent().finish())
    } else {
        Err(GatewayError::NotFound("no such API key".into()))
    }
}

/// Makes (or replaces) the caller's app password; 201 `{"password"}`,
/// shown only now. 409 when the server has no `TONEARM_SECRET_KEY`.
#[utoipa::path(post, path = "/api/auth/app-password", tag = "auth",
    responses((status = 201, description = "`{\"password\"}`, shown only now"),
        (status = 401, description = "Not signed in"),
        (status = 409, description = "The server has no TONEARM_SECRET_KEY")))]
pub async fn create_app_password(
    req: HttpRequest,
    gateway: web::Data<Gateway>,
) -> Result<HttpResponse, GatewayError> {
    let session = signed_in(&gateway, &req).await?;
    let Some(secrets) = &gateway.subsonic.secrets else {
        return Err(GatewayError::Conflict(
            "app passwords need TONEARM_SECRET_KEY on the server".into(),
        ));
    };
    let plain = password::generate()?;
    gateway
        .subsonic
        .set_app_password(session.data.user_id, secrets, &plain)
        .await?;
    Ok(HttpResponse::Created().json(serde_json::json!({ "password": plain })))
}

/// Deletes the caller's app password: token authentication stops.
#[utoipa::path(delete, path = "/api/auth/app-password", tag = "auth",
    responses((status = 204, description = "Deleted (or there was none)")))]
pub async fn delete_app_password(
    req: HttpRequest,
    gateway: web::Data<Gateway>,
) -> Result<HttpResponse, GatewayError> {
    let session = signed_in(&gateway, &req).await?;
    gateway.subsonic.delete_app_password(session.data.user_id).await?;
    Ok(HttpResponse::NoContent().finish())
}
