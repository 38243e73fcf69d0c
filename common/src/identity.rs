//! Who is calling, as the gateway tells the services.
//!
//! The gateway strips every `x-tonearm-*` header a client sends and sets
//! `x-tonearm-user`, `x-tonearm-role` and `x-tonearm-session` itself, with
//! the shared secret in `x-tonearm-internal-token`. When a service has
//! `TONEARM_INTERNAL_TOKEN` set, a request that carries identity headers
//! without the right token is refused (401 `forged_identity`), so a service
//! reachable by mistake still refuses forged headers. Without the setting
//! (single-host development, tests) the headers are trusted as they come.

use actix_web::{
    Error, HttpMessage, ResponseError,
    body::{BoxBody, MessageBody},
    dev::{ServiceRequest, ServiceResponse},
    http::header::HeaderMap,
    middleware::Next,
    web,
};

use crate::ApiError;

pub const USER_HEADER: &str = "x-tonearm-user";
pub const ROLE_HEADER: &str = "x-tonearm-role";
pub const SESSION_HEADER: &str = "x-tonearm-session";
pub const TOKEN_HEADER: &str = "x-tonearm-internal-token";

/// The configured shared secret, if any.
#[derive(Clone)]
pub struct InternalToken(Option<String>);

impl InternalToken {
    pub fn new(token: Option<String>) -> Self {
        Self(token)
    }

    /// Whether the request may carry identity headers.
    fn admits(&self, headers: &HeaderMap) -> bool {
        self.admits_with(|name| headers.get(name).map(|value| value.as_bytes()))
    }

    /// [`Self::admits`] for any kind of request: `header` gives the value
    /// of a header by its lower-case name (for listeners that do not run
    /// on actix, such as the events service's WebSocket port).
    pub fn admits_with<'a>(&self, header: impl Fn(&str) -> Option<&'a [u8]>) -> bool {
        let Some(expected) = &self.0 else {
            return true;
        };
        let carries_identity = [USER_HEADER, ROLE_HEADER, SESSION_HEADER]
            .iter()
            .any(|name| header(name).is_some());
        if !carries_identity {
            return true;
        }
        header(TOKEN_HEADER).is_some_and(|given| constant_time_eq(given, expected.as_bytes()))
    }
}

/// The answer to identity headers without the right token (401
/// `forged_identity`).
pub fn forged_identity() -> ApiError {
    ApiError::new(
        actix_web::http::StatusCode::UNAUTHORIZED,
        "forged_identity",
        "identity headers are only accepted from the gateway",
    )
}

/// Compares without stopping at the first difference, so timing does not
/// reveal how much of a guess was right.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |diff, (x, y)| diff | (x ^ y)) == 0
}

/// The caller's role as set by the gateway.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Admin,
    Listener,
    Anonymous,
}

/// The identity headers of a request, read once the middleware admitted them.
#[derive(Debug, Clone)]
pub struct Identity {
    pub user: Option<String>,
    pub role: Role,
    pub session: Option<String>,
}

impl Identity {
    pub fn from_headers(headers: &HeaderMap) -> Self {
        let text = |name: &str| {
            headers
                .get(name)
                .and_then(|value| value.to_str().ok())
                .filter(|value| !value.is_empty())
                .map(str::to_owned)
        };
        let role = match text(ROLE_HEADER).as_deref() {
            Some("admin") => Role::Admin,
            Some("listener") => Role::Listener,
            _ => Role::Anonymous,
        };
        Self {
            user: text(USER_HEADER),
            role,
            session: text(SESSION_HEADER),
        }
    }

    /// `Ok` for admins, 403 otherwise.
    pub fn require_admin(&self) -> Result<(), ApiError> {
        match self.role {
            Role::Admin => Ok(()),
            Role::Listener | Role::Anonymous => Err(ApiError::forbidden("this action needs the admin role")),
        }
    }
}

/// Refuses forged identity headers; stores the [`Identity`] in the request
/// extensions for handlers.
pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let admitted = req
        .app_data::<web::Data<InternalToken>>()
        .is_none_or(|token| token.admits(req.headers()));
    if !admitted {
        return Ok(req.into_response(forged_identity().error_response()));
    }
    let identity = Identity::from_headers(req.headers());
    req.extensions_mut().insert(identity);
    Ok(next.call(req).await?.map_into_boxed_body())
}

#[cfg(test)]
mod tests {
    use actix_web::http::header::{HeaderName, HeaderValue};

    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(HeaderName::from_static(name), HeaderValue::from_static(value));
        }
        map
    }

    #[test]
    fn without_a_configured_token_headers_are_trusted() {
        assert!(InternalToken::new(None).admits(&headers(&[(ROLE_HEADER, "admin")])));
    }

    #[test]
    fn with_a_token_forged_identity_is_refused() {
        let token = InternalToken::new(Some("s3cret".into()));
        assert!(!token.admits(&headers(&[(ROLE_HEADER, "admin")])));
        assert!(!token.admits(&headers(&[(ROLE_HEADER, "admin"), (TOKEN_HEADER, "guess")])));
        assert!(token.admits(&headers(&[(ROLE_HEADER, "admin"), (TOKEN_HEADER, "s3cret")])));
        assert!(token.admits(&headers(&[])), "requests without identity pass");
    }

    #[test]
    fn roles_are_read_from_headers() {
        assert_eq!(
            Identity::from_headers(&headers(&[(ROLE_HEADER, "admin")])).role,
            Role::Admin
        );
        assert_eq!(
            Identity::from_headers(&headers(&[(ROLE_HEADER, "root")])).role,
            Role::Anonymous
        );
        assert!(
            Identity::from_headers(&headers(&[(ROLE_HEADER, "listener")]))
                .require_admin()
                .is_err()
        );
    }
}
