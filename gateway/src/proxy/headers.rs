//! Which headers cross the gateway. Hop-by-hop headers stop here; the
//! client's `x-tonearm-*` headers are dropped and replaced by the identity
//! the gateway vouches for; everything else (Range, conditional and caching
//! headers included) passes unchanged in both directions.
//!
//! This runs for every relayed request, so it decides with one `match` on
//! each header's name, allocates nothing for the headers it drops, and
//! sends the values that never change (the internal token, the anonymous
//! role) as values built once.

use actix_web::{HttpRequest, HttpResponseBuilder, http::header as actix_header};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

use crate::auth::{Caller, SECURE_SESSION_COOKIE, SESSION_COOKIE};

/// Prefix of the identity headers only the gateway may set.
pub const IDENTITY_PREFIX: &str = "x-tonearm-";

/// True for the headers that describe one connection, not the message
/// (RFC 9110 7.6.1), plus `host`, which the upstream request sets from its
/// own URL.
fn is_fixed_hop_by_hop(name: &str) -> bool {
    matches!(
        name,
        "connection"
            | "keep-alive"
            | "proxy-authenticate"
            | "proxy-authorization"
            | "proxy-connection"
            | "te"
            | "trailer"
            | "transfer-encoding"
            | "upgrade"
            | "host"
    )
}

/// True when one of the `Connection` header values names `name` (which is
/// lower case); no allocation.
fn named_by_connection<'a>(name: &str, mut connection: impl Iterator<Item = &'a [u8]>) -> bool {
    connection.any(|value| {
        value
            .split(|byte| *byte == b',')
            .any(|token| token.trim_ascii().eq_ignore_ascii_case(name.as_bytes()))
    })
}

/// True for the client's headers the gateway sets itself (identity and
/// forwarding ones); `expect` was answered here already.
fn is_set_by_gateway(name: &str) -> bool {
    matches!(
        name,
        "x-request-id"
            | "x-forwarded-for"
            | "x-forwarded-proto"
            | "x-forwarded-host"
            | "forwarded"
            | "expect"
    ) || name.starts_with(IDENTITY_PREFIX)
}

/// The values the gateway sends on every upstream request that never
/// change, built once.
#[derive(Debug, Clone)]
pub struct Fixed {
    /// `x-tonearm-internal-token`.
    pub internal_token: HeaderValue,
}

impl Fixed {
    /// `None` when the token is not a valid header value.
    pub fn new(internal_token: &str) -> Option<Self> {
        Some(Self {
            internal_token: HeaderValue::from_str(internal_token).ok()?,
        })
    }
}

const X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");
const X_FORWARDED_PROTO: HeaderName = HeaderName::from_static("x-forwarded-proto");
const X_FORWARDED_HOST: HeaderName = HeaderName::from_static("x-forwarded-host");
const X_FORWARDED_FOR: HeaderName = HeaderName::from_static("x-forwarded-for");
const X_INTERNAL_TOKEN: HeaderName = HeaderName::from_static("x-tonearm-internal-token");
const X_USER: HeaderName = HeaderName::from_static("x-tonearm-user");
const X_ROLE: HeaderName = HeaderName::from_static("x-tonearm-role");
const X_SESSION: HeaderName = HeaderName::from_static("x-tonearm-session");

/// What the gateway adds to every upstream request.
pub struct Forwarding<'a> {
    pub caller: &'a Caller,
    pub request_id: &'a str,
    pub fixed: &'a Fixed,
    /// The client address as the gateway sees it.
    pub client_addr: Option<String>,
    /// Whether the client used https.
    pub https: bool,
}

/// The headers of the upstream request.
pub fn upstream_request_headers(req: &HttpRequest, forwarding: &Forwarding<'_>) -> HeaderMap {
    let client = req.headers();
    let has_connection = client.contains_key(actix_header::CONNECTION);
    let mut headers = HeaderMap::with_capacity(client.len() + 8);
    for (name, value) in client {
        let name = name.as_str();
        if is_fixed_hop_by_hop(name) || is_set_by_gateway(name) {
            continue;
        }
        if has_connection
            && named_by_connection(
                name,
                client
                    .get_all(actix_header::CONNECTION)
                    .map(actix_header::HeaderValue::as_bytes),
            )
        {
            continue;
        }
        if name == "cookie" {
            if let Some(kept) = without_session_cookie(value.as_bytes()) {
                headers.append(reqwest::header::COOKIE, kept);
            }
            continue;
        }
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_bytes(value.as_bytes()),
        ) {
            headers.append(name, value);
        }
    }
    add_forwarding(req, forwarding, &mut headers);
    headers
}

fn add_forwarding(req: &HttpRequest, forwarding: &Forwarding<'_>, headers: &mut HeaderMap) {
    let mut set = |name: HeaderName, value: &str| {
        if let Ok(value) = HeaderValue::from_str(value) {
            headers.insert(name, value);
        }
    };
    set(X_REQUEST_ID, forwarding.request_id);
    if let Some(host) = req
        .headers()
        .get(actix_header::HOST)
        .and_then(|v| v.to_str().ok())
    {
        set(X_FORWARDED_HOST, host);
    }
    if let Some(addr) = &forwarding.client_addr {
        set(X_FORWARDED_FOR, addr);
    }
    match forwarding.caller {
        Caller::Anonymous => {}
        Caller::Signed(session) => {
            set(X_USER, &session.data.user_id.to_string());
            set(X_SESSION, &session.data.public_id.to_string());
        }
    }
    let role = match forwarding.caller {
        Caller::Anonymous => "anonymous",
        Caller::Signed(session) => session.data.role.as_str(),
    };
    let proto = if forwarding.https { "https" } else { "http" };
    headers.insert(X_FORWARDED_PROTO, HeaderValue::from_static(proto));
    headers.insert(X_ROLE, HeaderValue::from_static(role));
    // Always set: the gateway does not start without a token.
    headers.insert(X_INTERNAL_TOKEN, forwarding.fixed.internal_token.clone());
}

/// The `Cookie` header without the gateway's session cookies (services never
/// see the session secret); `None` when nothing else is left.
fn without_session_cookie(value: &[u8]) -> Option<HeaderValue> {
    let text = std::str::from_utf8(value).ok()?;
    let kept: Vec<&str> = text
        .split(';')
        .map(str::trim)
        .filter(|pair| !pair.is_empty())
        .filter(|pair| {
            let name = pair.split('=').next().map(str::trim);
            name != Some(SESSION_COOKIE) && name != Some(SECURE_SESSION_COOKIE)
        })
        .collect();
    if kept.is_empty() {
        return None;
    }
    HeaderValue::from_str(&kept.join("; ")).ok()
}

/// Copies the upstream's answer headers onto the client response, minus
/// hop-by-hop ones and the length (the body sets it).
pub fn copy_response_headers(from: &HeaderMap, into: &mut HttpResponseBuilder) {
    let has_connection = from.contains_key(reqwest::header::CONNECTION);
    for (name, value) in from {
        let name = name.as_str();
        if is_fixed_hop_by_hop(name) || name == "content-length" {
            continue;
        }
        if has_connection
            && named_by_connection(
                name,
                from.get_all(reqwest::header::CONNECTION)
                    .iter()
                    .map(HeaderValue::as_bytes),
            )
        {
            continue;
        }
        if let (Ok(name), Ok(value)) = (
            actix_header::HeaderName::from_bytes(name.as_bytes()),
            actix_header::HeaderValue::from_bytes(value.as_bytes()),
        ) {
            into.append_header((name, value));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn is_hop_by_hop<'a>(name: &str, connection: impl Iterator<Item = &'a [u8]>) -> bool {
        is_fixed_hop_by_hop(name) || named_by_connection(name, connection)
    }

    #[test]
    fn the_session_cookie_is_removed_and_others_kept() {
        let kept = without_session_cookie(b"a=1; tonearm_session=secret; b=2; __Host-tonearm_session=s")
            .expect("others left");
        assert_eq!(kept, "a=1; b=2");
        assert!(without_session_cookie(b"tonearm_session=secret").is_none());
    }

    #[test]
    fn headers_named_by_connection_are_hop_by_hop() {
        let listed = || [b"close, X-Secret".as_slice(), b" keep-alive ,Other ".as_slice()].into_iter();
        assert!(is_hop_by_hop("x-secret", listed()));
        assert!(is_hop_by_hop("other", listed()));
        assert!(is_hop_by_hop("transfer-encoding", listed()));
        assert!(!is_hop_by_hop("range", listed()));
        assert!(!is_hop_by_hop("secret", listed()));
    }
}
