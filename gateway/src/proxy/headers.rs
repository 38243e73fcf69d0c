//! Which headers cross the gateway. Hop-by-hop headers stop here; the
//! client's `x-tonearm-*` headers are dropped and replaced by the identity
//! the gateway vouches for; everything else (Range, conditional and caching
//! headers included) passes unchanged in both directions.

use actix_web::{HttpRequest, HttpResponseBuilder, http::header as actix_header};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

use crate::auth::{Caller, SECURE_SESSION_COOKIE, SESSION_COOKIE};

/// Prefix of the identity headers only the gateway may set.
pub const IDENTITY_PREFIX: &str = "x-tonearm-";

/// Headers that describe one connection, not the message (RFC 9110 7.6.1),
/// plus `host`, which the upstream request sets from its own URL.
const HOP_BY_HOP: &[&str] = &[
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "proxy-connection",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "host",
];

/// True for headers that must not be forwarded: the fixed hop-by-hop list
/// and any header the `Connection` header names.
fn is_hop_by_hop(name: &str, connection_listed: &[String]) -> bool {
    HOP_BY_HOP.contains(&name) || connection_listed.iter().any(|listed| listed == name)
}

fn connection_listed<'a>(values: impl Iterator<Item = &'a [u8]>) -> Vec<String> {
    values
        .filter_map(|value| std::str::from_utf8(value).ok())
        .flat_map(|value| value.split(','))
        .map(|token| token.trim().to_ascii_lowercase())
        .filter(|token| !token.is_empty())
        .collect()
}

/// What the gateway adds to every upstream request.
pub struct Forwarding<'a> {
    pub caller: &'a Caller,
    pub request_id: &'a str,
    pub internal_token: &'a str,
    /// The client address as the gateway sees it.
    pub client_addr: Option<String>,
    /// `http` or `https`, as the client used.
    pub proto: &'a str,
}

/// The headers of the upstream request.
pub fn upstream_request_headers(req: &HttpRequest, forwarding: &Forwarding<'_>) -> HeaderMap {
    let listed = connection_listed(
        req.headers()
            .get_all(actix_header::CONNECTION)
            .map(|value| value.as_bytes()),
    );
    let mut headers = HeaderMap::with_capacity(req.headers().len() + 8);
    for (name, value) in req.headers() {
        let name_str = name.as_str();
        if is_hop_by_hop(name_str, &listed)
            || name_str.starts_with(IDENTITY_PREFIX)
            // Set by the gateway itself; `expect` was answered here already.
            || matches!(
                name_str,
                "x-request-id"
                    | "x-forwarded-for"
                    | "x-forwarded-proto"
                    | "x-forwarded-host"
                    | "forwarded"
                    | "expect"
            )
        {
            continue;
        }
        if name_str == "cookie" {
            if let Some(kept) = without_session_cookie(value.as_bytes()) {
                headers.append(reqwest::header::COOKIE, kept);
            }
            continue;
        }
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name_str.as_bytes()),
            HeaderValue::from_bytes(value.as_bytes()),
        ) {
            headers.append(name, value);
        }
    }
    add_forwarding(req, forwarding, &mut headers);
    headers
}

fn add_forwarding(req: &HttpRequest, forwarding: &Forwarding<'_>, headers: &mut HeaderMap) {
    let mut set = |name: &'static str, value: &str| {
        if let Ok(value) = HeaderValue::from_str(value) {
            headers.insert(HeaderName::from_static(name), value);
        }
    };
    set("x-request-id", forwarding.request_id);
    set("x-forwarded-proto", forwarding.proto);
    if let Some(host) = req
        .headers()
        .get(actix_header::HOST)
        .and_then(|v| v.to_str().ok())
    {
        set("x-forwarded-host", host);
    }
    if let Some(addr) = &forwarding.client_addr {
        set("x-forwarded-for", addr);
    }
    // Always set: the gateway does not start without a token.
    set("x-tonearm-internal-token", forwarding.internal_token);
    match forwarding.caller {
        Caller::Anonymous => set("x-tonearm-role", "anonymous"),
        Caller::Signed(session) => {
            set("x-tonearm-user", &session.data.user_id.to_string());
            set("x-tonearm-role", session.data.role.as_str());
            set("x-tonearm-session", &session.data.public_id.to_string());
        }
    }
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
/// hop-by-hop ones.
pub fn copy_response_headers(from: &HeaderMap, into: &mut HttpResponseBuilder) {
    let listed = connection_listed(
        from.get_all(reqwest::header::CONNECTION)
            .iter()
            .map(HeaderValue::as_bytes),
    );
    for (name, value) in from {
        if is_hop_by_hop(name.as_str(), &listed) || name.as_str() == "content-length" {
            continue;
        }
        if let (Ok(name), Ok(value)) = (
            actix_header::HeaderName::from_bytes(name.as_str().as_bytes()),
            actix_header::HeaderValue::from_bytes(value.as_bytes()),
        ) {
            into.append_header((name, value));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_session_cookie_is_removed_and_others_kept() {
        let kept = without_session_cookie(b"a=1; tonearm_session=secret; b=2; __Host-tonearm_session=s")
            .expect("others left");
        assert_eq!(kept, "a=1; b=2");
        assert!(without_session_cookie(b"tonearm_session=secret").is_none());
    }

    #[test]
    fn headers_named_by_connection_are_hop_by_hop() {
        let listed = connection_listed([b"close, X-Secret".as_slice()].into_iter());
        assert!(is_hop_by_hop("x-secret", &listed));
        assert!(is_hop_by_hop("transfer-encoding", &listed));
        assert!(!is_hop_by_hop("range", &listed));
    }
}
