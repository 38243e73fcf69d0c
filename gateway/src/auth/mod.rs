//! Accounts, sessions and who is calling.

pub mod accounts;
pub mod admin;
pub mod csrf;
pub mod password;
pub mod rate_limit;
pub mod routes;
pub mod sessions;
pub mod users;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The cookie holding the session id when the gateway is reached over
/// plain http.
pub const SESSION_COOKIE: &str = "tonearm_session";

/// The cookie holding the session id over https. Browsers accept a
/// `__Host-` cookie only with `Secure`, `Path=/` and no `Domain`, so
/// neither a sibling subdomain nor a plain-http page can plant or
/// overwrite it (no session fixation).
pub const SECURE_SESSION_COOKIE: &str = "__Host-tonearm_session";

/// What a signed-in person may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Admin,
    Listener,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Listener => "listener",
        }
    }
}

impl std::str::FromStr for Role {
    type Err = String;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        match value {
            "admin" => Ok(Self::Admin),
            "listener" => Ok(Self::Listener),
            other => Err(format!("expected role admin or listener, got {other:?}")),
        }
    }
}

/// What a session remembers, stored as JSON in Redis.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct SessionData {
    pub user_id: Uuid,
    pub username: String,
    pub role: Role,
    /// The id services see in `x-tonearm-session`: stable for the session
    /// but not the cookie secret, so logs, Kafka and Redis never hold a
    /// value that signs anyone in.
    pub public_id: Uuid,
    /// Unix seconds.
    pub created_at: i64,
}

/// A live session: the secret id from the cookie and its data.
#[derive(Debug, Clone)]
pub struct Session {
    pub id: String,
    pub data: SessionData,
}

/// Who is calling.
#[derive(Debug, Clone)]
pub enum Caller {
    Anonymous,
    Signed(Session),
}

impl Caller {
    pub fn session(&self) -> Option<&Session> {
        match self {
            Self::Anonymous => None,
            Self::Signed(session) => Some(session),
        }
    }
}
