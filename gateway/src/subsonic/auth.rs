//! Who is calling a `/rest` method: `apiKey`, `u`+`p` (plain or `enc:`
//! hex, checked against the account's argon2 hash) or `u`+`t`+`s`
//! (md5 of the user's app password and the salt). Password and token
//! failures count against the sign-in rate limits; every mode ends with
//! the account's current state and role, as for sessions.

use actix_web::HttpRequest;
use uuid::Uuid;

use super::{
    envelope::{Code, SubsonicError},
    params::Params,
    secrets,
};
use crate::{
    auth::{Caller, Role, Session, SessionData, password, users},
    state::Gateway,
};

/// The authenticated account.
#[derive(Debug, Clone)]
pub struct User {
    pub id: Uuid,
    pub username: String,
    pub role: Role,
}

impl User {
    /// The caller the services are told about: the account and a session
    /// id of this request's own (no session signs anyone in here).
    pub fn caller(&self) -> Caller {
        Caller::Signed(Session {
            id: String::new(),
            data: SessionData {
                user_id: self.id,
                username: self.username.clone(),
                role: self.role,
                public_id: Uuid::new_v4(),
                created_at: chrono::Utc::now().timestamp(),
            },
        })
    }
}

fn wrong() -> SubsonicError {
    SubsonicError::new(Code::WrongCredentials, "wrong username or password")
}

fn unavailable(error: &anyhow::Error) -> SubsonicError {
    tracing::error!(error = format!("{error:#}"), "subsonic authentication failed");
    SubsonicError::generic("the account store is unavailable")
}

/// Authenticates the request's parameters.
pub async fn authenticate(
    gateway: &Gateway,
    req: &HttpRequest,
    params: &Params,
) -> Result<User, SubsonicError> {
    let (user, key, pass, token) = (
        params.get("u"),
        params.get("apiKey"),
        params.get("p"),
        params.get("t"),
    );
    let id = match (user, key) {
        (Some(_), Some(_)) => {
            return Err(SubsonicError::new(
                Code::ConflictingMechanisms,
                "u and apiKey cannot be used together",
            ));
        }
        (None, Some(key)) => {
            if pass.is_some() || token.is_some() {
                return Err(SubsonicError::new(
                    Code::ConflictingMechanisms,
                    "apiKey cannot be used with p or t",
                ));
            }
            by_key(gateway, key).await?
        }
        (None, None) => return Err(SubsonicError::missing("u")),
        (Some(name), None) => match (pass, token) {
            (Some(_), Some(_)) => {
                return Err(SubsonicError::new(
                    Code::ConflictingMechanisms,
                    "p and t cannot be used together",
                ));
            }
            (Some(pass), None) => by_password(gateway, req, name, pass).await?,
            (None, Some(token)) => {
                let salt = params.get("s").ok_or_else(|| SubsonicError::missing("s"))?;
                by_token(gateway, req, name, token, salt).await?
            }
            (None, None) => return Err(SubsonicError::missing("p")),
        },
    };
    let account = gateway.accounts.current(id).await.map_err(|e| unavailable(&e))?;
    // A disabled or deleted account is refused like a wrong password.
    let account = account.ok_or_else(wrong)?;
    Ok(User {
        id,
        username: account.username,
        role: account.role,
    })
}

async fn by_key(gateway: &Gateway, key: &str) -> Result<Uuid, SubsonicError> {
    gateway
        .subsonic
        .key_owner(key)
        .await
        .map_err(|e| unavailable(&e))?
        .ok_or_else(|| SubsonicError::new(Code::InvalidApiKey, "invalid API key"))
}

/// Counts the attempt like a sign-in; a name under backoff is refused
/// before anything is checked.
async fn limit(gateway: &Gateway, name: &str, address: &str) -> Result<(), SubsonicError> {
    match gateway.limiter.attempt(name, address).await {
        Ok(None) => Ok(()),
        Ok(Some(_)) => Err(SubsonicError::new(
            Code::WrongCredentials,
            "too many sign-in attempts; try again later",
        )),
        Err(e) => Err(unavailable(&e)),
    }
}

async fn settle(gateway: &Gateway, name: &str, address: &str, ok: bool) {
    let outcome = if ok {
        gateway.limiter.succeeded(name, address).await
    } else {
        gateway.limiter.failed(name, address).await
    };
    if let Err(error) = outcome {
        tracing::warn!(error = format!("{error:#}"), "could not record a sign-in attempt");
    }
}

fn address(gateway: &Gateway, req: &HttpRequest) -> String {
    gateway.client_addr(req).unwrap_or_else(|| "unknown".into())
}

fn normalised(name: &str) -> String {
    name.trim().to_ascii_lowercase().chars().take(64).collect()
}

async fn by_password(
    gateway: &Gateway,
    req: &HttpRequest,
    name: &str,
    pass: &str,
) -> Result<Uuid, SubsonicError> {
    let (key, address) = (normalised(name), address(gateway, req));
    limit(gateway, &key, &address).await?;
    let user = match users::Username::try_from(name) {
        Ok(valid) => gateway.users.by_name(&valid).await.map_err(|e| unavailable(&e))?,
        Err(_) => None,
    };
    let user = user.filter(|user| !user.disabled);
    let hash = user.as_ref().map(|user| user.password_hash.clone());
    // Undecodable `enc:` still costs the same argon2 work.
    let plain = secrets::decode_password(pass).unwrap_or_default();
    let matches = password::verify(plain, hash).await.map_err(|e| unavailable(&e))?;
    settle(gateway, &key, &address, matches && user.is_some()).await;
    user.filter(|_| matches).map(|user| user.id).ok_or_else(wrong)
}

async fn by_token(
    gateway: &Gateway,
    req: &HttpRequest,
    name: &str,
    token: &str,
    salt: &str,
) -> Result<Uuid, SubsonicError> {
    if !gateway.subsonic.token_auth_enabled() {
        return Err(SubsonicError::new(
            Code::MechanismNotSupported,
            "token authentication is not enabled on this server; use an API key",
        ));
    }
    let (key, address) = (normalised(name), address(gateway, req));
    limit(gateway, &key, &address).await?;
    let user = match users::Username::try_from(name) {
        Ok(valid) => gateway.users.by_name(&valid).await.map_err(|e| unavailable(&e))?,
        Err(_) => None,
    };
    let user = user.filter(|user| !user.disabled);
    let secret = match &user {
        Some(user) => gateway
            .subsonic
            .app_password(user.id)
            .await
            .map_err(|e| unavailable(&e))?,
        None => None,
    };
    // An unknown or disabled account answers as one without an app
    // password, so the codes do not tell which names exist.
    let (Some(user), Some(secret)) = (user, secret) else {
        settle(gateway, &key, &address, false).await;
        return Err(SubsonicError::new(
            Code::TokenNotSupported,
            "token authentication needs an app password: create one in Tonearm, or use an API key",
        ));
    };
    let ok = secrets::token_matches(&secret, salt, token);
    settle(gateway, &key, &address, ok).await;
    if ok { Ok(user.id) } else { Err(wrong()) }
}
