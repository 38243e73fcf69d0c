//! Who is calling, as the gateway tells the services.
//!
//! The gateway strips every `x-tonearm-*` header a client sends and sets
//! `x-tonearm-user`, `x-tonearm-role` and `x-tonearm-session` itself, with
//! the shared secret in `x-tonearm-internal-token`.
//!
//! - With `TONEARM_INTERNAL_TOKEN` set, every request to a service must carry
//!   it, probes (`/healthz`, `/readyz`, `/metrics`) aside: anything else is
//!   refused with 401 `internal_token_required`, so a service port reached by
//!   mistake serves nothing.
//! - Without it (allowed only on a loopback bind, see
//!   [`crate::server::bind_service`]), nobody can be told apart from the
//!   gateway, so identity headers are refused (401 `forged_identity`) and
//!   only anonymous requests are served.

use actix_web::{
    Error, HttpMessage, ResponseError,
    body::{BoxBody, MessageBody},
    dev::{ServiceRequest, ServiceResponse},
    http::header::HeaderMap,
    middleware::Next,
    web,
};

pub use crate::caller::{ROLE_HEADER, SESSION_HEADER, USER_HEADER};
use crate::{ApiError, caller::Caller};

pub const TOKEN_HEADER: &str = "x-tonearm-internal-token";

/// Paths any caller may reach without the token: liveness, readiness and
/// metrics, which orchestrators and Prometheus scrape directly.
pub const PROBE_PATHS: [&str; 3] = ["/healthz", "/readyz", "/metrics"];

/// Why a request was not admitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// A token is configured and the request did not carry it.
    TokenRequired,
    /// No token is configured, or a wrong one was sent, and the request
    /// claims an identity.
    ForgedIdentity,
}

impl Refusal {
    pub fn to_error(self) -> ApiError {
        match self {
            Self::TokenRequired => internal_token_required(),
            Self::ForgedIdentity => forged_identity(),
        }
    }
}

/// The configured shared secret, if any.
#[derive(Clone)]
pub struct InternalToken(Option<String>);

impl InternalToken {
    pub fn new(token: Option<String>) -> Self {
        Self(token)
    }

    /// Whether a secret is configured.
    pub fn is_set(&self) -> bool {
        self.0.is_some()
    }

    /// The secret to send to another service, if any.
    pub fn value(&self) -> Option<&str> {
        self.0.as_deref()
    }

    /// Whether a request with these headers may be served.
    pub fn check(&self, headers: &HeaderMap) -> Result<(), Refusal> {
        self.check_with(|name| headers.get(name).map(|value| value.as_bytes()))
    }

    /// [`Self::check`] for any kind of request: `header` gives the value of
    /// a header by its lower-case name (for listeners that do not run on
    /// actix, such as the events service's WebSocket port).
    pub fn check_with<'a>(&self, header: impl Fn(&str) -> Option<&'a [u8]>) -> Result<(), Refusal> {
        let carries_identity = [USER_HEADER, ROLE_HEADER, SESSION_HEADER]
            .iter()
            .any(|name| header(name).is_some());
        let given = header(TOKEN_HEADER);
        match (&self.0, given) {
            (Some(expected), Some(given)) if constant_time_eq(given, expected.as_bytes()) => Ok(()),
            (Some(_), Some(_)) => Err(Refusal::ForgedIdentity),
            (Some(_), None) if carries_identity => Err(Refusal::ForgedIdentity),
            (Some(_), None) => Err(Refusal::TokenRequired),
            (None, _) if carries_identity => Err(Refusal::ForgedIdentity),
            (None, _) => Ok(()),
        }
    }
}

/// The answer to a request without the token (401 `internal_token_required`).
pub fn internal_token_required() -> ApiError {
    ApiError::new(
        actix_web::http::StatusCode::UNAUTHORIZED,
        "internal_token_required",
        "this service only answers requests that come through the gateway",
    )
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

/// Refuses requests without the internal token (probes aside) and forged
/// identity headers; stores the [`Caller`] in the request extensions for
/// handlers.
pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    if !PROBE_PATHS.contains(&req.path())
        && let Some(token) = req.app_data::<web::Data<InternalToken>>()
        && let Err(refusal) = token.check(req.headers())
    {
        return Ok(req.into_response(refusal.to_error().error_response()));
    }
    let caller = Caller::from_headers(req.headers());
    req.extensions_mut().insert(caller);
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
    fn without_a_configured_token_identity_is_refused_and_anonymous_requests_pass() {
        let token = InternalToken::new(None);
        assert_eq!(
            token.check(&headers(&[(ROLE_HEADER, "admin")])),
            Err(Refusal::ForgedIdentity)
        );
        assert_eq!(token.check(&headers(&[])), Ok(()));
    }

    #[test]
    fn with_a_token_every_request_must_carry_it() {
        let token = InternalToken::new(Some("s3cret".into()));
        assert_eq!(
            token.check(&headers(&[(ROLE_HEADER, "admin")])),
            Err(Refusal::ForgedIdentity)
        );
        assert_eq!(
            token.check(&headers(&[(ROLE_HEADER, "admin"), (TOKEN_HEADER, "guess")])),
            Err(Refusal::ForgedIdentity)
        );
        assert_eq!(
            token.check(&headers(&[(ROLE_HEADER, "admin"), (TOKEN_HEADER, "s3cret")])),
            Ok(())
        );
        assert_eq!(token.check(&headers(&[(TOKEN_HEADER, "s3cret")])), Ok(()));
        assert_eq!(token.check(&headers(&[])), Err(Refusal::TokenRequired));
    }
}
