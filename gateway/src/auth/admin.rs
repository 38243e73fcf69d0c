//! `/api/admin/users`: admins create, list, change, disable, delete users
//! and reset their passwords. Any change that lowers what a user may do
//! ends their sessions at once. The caller's own role is read from
//! PostgreSQL on every admin action, never taken from the session.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use uuid::Uuid;

use super::{Caller, Role, Session, password, users};
use crate::{error::GatewayError, state::Gateway};

/// `POST /api/admin/users` body.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct NewUser {
    pub username: String,
    pub password: String,
    #[serde(default = "listener")]
    pub role: Role,
}

fn listener() -> Role {
    Role::Listener
}

/// `PATCH /api/admin/users/{id}` body; absent fields stay as they are.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct UserChange {
    pub role: Option<Role>,
    pub disabled: Option<bool>,
}

/// `POST /api/admin/users/{id}/password` body.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct PasswordReset {
    pub password: String,
}

/// Mounts the routes under `/api/admin`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/api/admin/users", web::get().to(list))
        .route("/api/admin/users", web::post().to(create))
        .route("/api/admin/users/{id}", web::get().to(get))
        .route("/api/admin/users/{id}", web::patch().to(update))
        .route("/api/admin/users/{id}", web::delete().to(delete))
        .route("/api/admin/users/{id}/password", web::post().to(reset_password));
}

async fn admin(req: &HttpRequest, gateway: &Gateway) -> Result<Session, GatewayError> {
    match gateway.caller_checked_now(req).await? {
        Caller::Signed(session) if session.data.role == Role::Admin => Ok(session),
        Caller::Signed(_) => Err(GatewayError::NotAdmin),
        Caller::Anonymous => Err(GatewayError::NotSignedIn),
    }
}

fn no_such_user(id: Uuid) -> GatewayError {
    GatewayError::NotFound(format!("user {id}"))
}

/// Refuses a change that would leave no enabled admin.
async fn keep_one_admin(gateway: &Gateway, id: Uuid) -> Result<(), GatewayError> {
    let target = gateway.users.by_id(id).await?.ok_or_else(|| no_such_user(id))?;
    if target.role() == Role::Admin && !target.disabled && gateway.users.other_active_admins(id).await? == 0 {
        return Err(GatewayError::Conflict(
            "this is the last enabled admin account".into(),
        ));
    }
    Ok(())
}

#[utoipa::path(get, path = "/api/admin/users", tag = "admin",
    responses((status = 200, body = Vec<users::UserView>), (status = 403, description = "Not an admin")))]
pub async fn list(req: HttpRequest, gateway: web::Data<Gateway>) -> Result<HttpResponse, GatewayError> {
    admin(&req, &gateway).await?;
    let users: Vec<_> = gateway
        .users
        .list()
        .await?
        .iter()
        .map(users::User::view)
        .collect();
    Ok(HttpResponse::Ok().json(users))
}

#[utoipa::path(post, path = "/api/admin/users", tag = "admin", request_body = NewUser,
    responses((status = 201, body = users::UserView), (status = 409, description = "Name taken")))]
pub async fn create(
    req: HttpRequest,
    gateway: web::Data<Gateway>,
    body: web::Json<NewUser>,
) -> Result<HttpResponse, GatewayError> {
    admin(&req, &gateway).await?;
    let NewUser {
        username,
        password: secret,
        role,
    } = body.into_inner();
    let username = users::Username::try_from(username.as_str()).map_err(GatewayError::Invalid)?;
    users::check_new_password(&secret).map_err(GatewayError::Invalid)?;
    let hash = password::hash(secret).await?;
    let user = gateway
        .users
        .create(&username, role, &hash)
        .await?
        .ok_or_else(|| GatewayError::Conflict(format!("the username {} is taken", username.as_str())))?;
    Ok(HttpResponse::Created().json(user.view()))
}

#[utoipa::path(get, path = "/api/admin/users/{id}", tag = "admin",
    responses((status = 200, body = users::UserView), (status = 404, description = "No such user")))]
pub async fn get(
    req: HttpRequest,
    gateway: web::Data<Gateway>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, GatewayError> {
    admin(&req, &gateway).await?;
    let id = id.into_inner();
    let user = gateway.users.by_id(id).await?.ok_or_else(|| no_such_user(id))?;
    Ok(HttpResponse::Ok().json(user.view()))
}

#[utoipa::path(patch, path = "/api/admin/users/{id}", tag = "admin", request_body = UserChange,
    responses((status = 200, body = users::UserView), (status = 409, description = "Last admin")))]
pub async fn update(
    req: HttpRequest,
    gateway: web::Data<Gateway>,
    id: web::Path<Uuid>,
    body: web::Json<UserChange>,
) -> Result<HttpResponse, GatewayError> {
    admin(&req, &gateway).await?;
    let id = id.into_inner();
    let change = body.into_inner();
    let demotes = change.disabled == Some(true) || change.role == Some(Role::Listener);
    if demotes {
        keep_one_admin(&gateway, id).await?;
    }
    let user = gateway
        .users
        .update(id, change.role, change.disabled)
        .await?
        .ok_or_else(|| no_such_user(id))?;
    gateway.accounts.forget(id);
    if demotes || change.role.is_some() {
        gateway.sessions.end_all_for_user(id, None).await?;
    }
    Ok(HttpResponse::Ok().json(user.view()))
}

#[utoipa::path(delete, path = "/api/admin/users/{id}", tag = "admin",
    responses((status = 204, description = "Deleted"), (status = 404, description = "No such user")))]
pub async fn delete(
    req: HttpRequest,
    gateway: web::Data<Gateway>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, GatewayError> {
    admin(&req, &gateway).await?;
    let id = id.into_inner();
    keep_one_admin(&gateway, id).await?;
    gateway.sessions.end_all_for_user(id, None).await?;
    let deleted = gateway.users.delete(id).await?;
    gateway.accounts.forget(id);
    if !deleted {
        return Err(no_such_user(id));
    }
    Ok(HttpResponse::NoContent().finish())
}

#[utoipa::path(post, path = "/api/admin/users/{id}/password", tag = "admin", request_body = PasswordReset,
    responses((status = 204, description = "Reset; the user's sessions end")))]
pub async fn reset_password(
    req: HttpRequest,
    gateway: web::Data<Gateway>,
    id: web::Path<Uuid>,
    body: web::Json<PasswordReset>,
) -> Result<HttpResponse, GatewayError> {
    admin(&req, &gateway).await?;
    let id = id.into_inner();
    let secret = body.into_inner().password;
    users::check_new_password(&secret).map_err(GatewayError::Invalid)?;
    let hash = password::hash(secret).await?;
    if !gateway.users.set_password(id, &hash).await? {
        return Err(no_such_user(id));
    }
    gateway.accounts.forget(id);
    gateway.sessions.end_all_for_user(id, None).await?;
    Ok(HttpResponse::NoContent().finish())
}
