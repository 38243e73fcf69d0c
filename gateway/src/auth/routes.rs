//! `/api/auth/*`: sign in, sign out, who am I, change my password.

use actix_web::{HttpRequest, HttpResponse, HttpResponseBuilder, http::StatusCode, web};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{Caller, Role, Session, SessionData, password, users};
use crate::{error::GatewayError, state::Gateway};

/// `POST /api/auth/login` body.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
}

/// `POST /api/auth/password` body.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ChangePassword {
    pub current_password: String,
    pub new_password: String,
}

/// The signed-in person.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Me {
    pub id: Uuid,
    pub username: String,
    pub role: Role,
    /// The id services see for this session (`x-tonearm-session`).
    pub session: Uuid,
}

impl Me {
    fn of(data: &SessionData) -> Self {
        Self {
            id: data.user_id,
            username: data.username.clone(),
            role: data.role,
            session: data.public_id,
        }
    }
}

/// Mounts the routes under `/api/auth`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/api/auth/login", web::post().to(login))
        .route("/api/auth/logout", web::post().to(logout))
        .route("/api/auth/me", web::get().to(me))
        .route("/api/auth/password", web::post().to(change_password));
}

/// The session cookie: over https `__Host-tonearm_session` with `Secure`
/// (the prefix demands it, `Path=/` and no `Domain`), over http the plain
/// name.
fn session_cookie(gateway: &Gateway, req: &HttpRequest, id: &str, max_age: u64) -> String {
    let secure = if gateway.is_https(req) { "; Secure" } else { "" };
    format!(
        "{}={id}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}",
        gateway.session_cookie_name(req)
    )
}

fn with_cookie(builder: &mut HttpResponseBuilder, cookie: String) -> &mut HttpResponseBuilder {
    builder.insert_header((actix_web::http::header::SET_COOKIE, cookie))
}

fn signed_in(caller: Caller) -> Result<Session, GatewayError> {
    match caller {
        Caller::Signed(session) => Ok(session),
        Caller::Anonymous => Err(GatewayError::NotSignedIn),
    }
}

fn client_address(gateway: &Gateway, req: &HttpRequest) -> String {
    gateway.client_addr(req).unwrap_or_else(|| "unknown".into())
}

/// Counts the attempt, refusing with 429 while the address or this
/// account from this address must wait (see `rate_limit`).
async fn limit(gateway: &Gateway, address: &str, username: &str) -> Result<(), GatewayError> {
    match gateway.limiter.attempt(username, address).await {
        Ok(None) => Ok(()),
        Ok(Some(retry_after_secs)) => Err(GatewayError::RateLimited { retry_after_secs }),
        Err(error) => {
            tracing::error!(error = format!("{error:#}"), "rate limiter unavailable");
            Err(GatewayError::Unavailable {
                service: "session store",
            })
        }
    }
}

/// Counts a wrong password; a Redis failure here is logged, not answered
/// (the attempt was already refused).
async fn record_failure(gateway: &Gateway, username: &str, address: &str) {
    if let Err(error) = gateway.limiter.failed(username, address).await {
        tracing::warn!(error = format!("{error:#}"), "could not record a failed sign-in");
    }
}

/// Signs in and sets the session cookie. Wrong password, unknown account
/// and disabled account all answer the same 401.
#[utoipa::path(post, path = "/api/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = Me, description = "Signed in; sets the tonearm_session cookie"),
        (status = 401, description = "Wrong username or password"),
        (status = 429, description = "Too many attempts; see Retry-After")))]
pub async fn login(
    req: HttpRequest,
    gateway: web::Data<Gateway>,
    body: web::Json<LoginRequest>,
) -> Result<HttpResponse, GatewayError> {
    let LoginRequest { username, password } = body.into_inner();
    let name: String = username.trim().to_ascii_lowercase().chars().take(64).collect();
    let address = client_address(&gateway, &req);
    limit(&gateway, &address, &name).await?;
    let user = match users::Username::try_from(username.as_str()) {
        Ok(valid) => gateway.users.by_name(&valid).await?,
        Err(_) => None,
    };
    let user = user.filter(|user| !user.disabled);
    let hash = user.as_ref().map(|user| user.password_hash.clone());
    let matches = password::verify(password, hash).await?;
    let Some(user) = user.filter(|_| matches) else {
        record_failure(&gateway, &name, &address).await;
        return Err(GatewayError::InvalidCredentials);
    };
    if let Err(error) = gateway.limiter.succeeded(&name, &address).await {
        tracing::warn!(error = format!("{error:#}"), "could not reset sign-in attempts");
    }
    // A fresh id on every sign-in; the previous session of this browser ends.
    if let Caller::Signed(previous) = gateway.caller(&req).await? {
        gateway.sessions.delete(&previous).await?;
    }
    let data = SessionData {
        user_id: user.id,
        username: user.username.clone(),
        role: user.role(),
        public_id: Uuid::new_v4(),
        created_at: chrono::Utc::now().timestamp(),
    };
    let session = gateway.sessions.create(data).await?;
    tracing::info!(user = %user.id, "signed in");
    let cookie = session_cookie(&gateway, &req, &session.id, gateway.sessions.ttl().as_secs());
    Ok(with_cookie(&mut HttpResponse::Ok(), cookie).json(Me::of(&session.data)))
}

/// Ends the session (if any) and clears the cookie.
#[utoipa::path(post, path = "/api/auth/logout", tag = "auth",
    responses((status = 204, description = "Signed out")))]
pub async fn logout(req: HttpRequest, gateway: web::Data<Gateway>) -> Result<HttpResponse, GatewayError> {
    if let Caller::Signed(session) = gateway.caller(&req).await? {
        gateway.sessions.delete(&session).await?;
    }
    let cookie = session_cookie(&gateway, &req, "", 0);
    Ok(with_cookie(&mut HttpResponse::NoContent(), cookie).finish())
}

/// The signed-in person; renews the cookie so it lives as long as the
/// session does.
#[utoipa::path(get, path = "/api/auth/me", tag = "auth",
    responses((status = 200, body = Me), (status = 401, description = "Not signed in")))]
pub async fn me(req: HttpRequest, gateway: web::Data<Gateway>) -> Result<HttpResponse, GatewayError> {
    let session = signed_in(gateway.caller(&req).await?)?;
    let cookie = session_cookie(&gateway, &req, &session.id, gateway.sessions.ttl().as_secs());
    Ok(with_cookie(&mut HttpResponse::Ok(), cookie).json(Me::of(&session.data)))
}

/// Changes the caller's own password; their other sessions end.
#[utoipa::path(post, path = "/api/auth/password", tag = "auth", request_body = ChangePassword,
    responses((status = 204, description = "Changed"), (status = 400, description = "New password too short"),
        (status = 401, description = "Not signed in or wrong current password")))]
pub async fn change_password(
    req: HttpRequest,
    gateway: web::Data<Gateway>,
    body: web::Json<ChangePassword>,
) -> Result<HttpResponse, GatewayError> {
    let session = signed_in(gateway.caller(&req).await?)?;
    let ChangePassword {
        current_password,
        new_password,
    } = body.into_inner();
    users::check_new_password(&new_password).map_err(GatewayError::Invalid)?;
    let address = client_address(&gateway, &req);
    limit(&gateway, &address, &session.data.username).await?;
    let user = gateway.users.by_id(session.data.user_id).await?;
    let hash = user.as_ref().map(|user| user.password_hash.clone());
    if !password::verify(current_password, hash).await? {
        record_failure(&gateway, &session.data.username, &address).await;
        return Err(GatewayError::InvalidCredentials);
    }
    let hash = password::hash(new_password).await?;
    gateway.users.set_password(session.data.user_id, &hash).await?;
    gateway
        .sessions
        .end_all_for_user(session.data.user_id, Some(&session.id))
        .await?;
    Ok(HttpResponse::build(StatusCode::NO_CONTENT).finish())
}
