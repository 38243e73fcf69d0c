//! The upgrade request of a socket: only `GET /ws`; with an internal token
//! configured, only from the gateway (which carries it); without one
//! (development), no identity headers and no browser page of another
//! origin; then within the socket caps. The caller's identity is read from
//! the headers. A refusal is the usual JSON error body.

use std::{net::SocketAddr, sync::Arc};

use common::{
    ErrorBody,
    identity::{InternalToken, SESSION_HEADER, USER_HEADER},
    request_id,
};
use tokio_tungstenite::tungstenite::{
    handshake::server::{ErrorResponse, Request, Response},
    http::{HeaderMap, HeaderValue, StatusCode, header},
};

use super::{
    Identity,
    caps::{SocketCaps, SocketPermit, client_address},
};

/// What an upgrade is checked against.
pub struct Gate {
    /// Every upgrade carries it when set (see `common::identity`).
    pub token: InternalToken,
    /// Browser origins allowed when no token is set.
    pub public_origins: Vec<String>,
    pub caps: Arc<SocketCaps>,
}

/// An accepted upgrade: who called, and their place under the caps (held
/// for the socket's life).
#[derive(Debug)]
pub struct Admitted {
    pub identity: Identity,
    pub permit: SocketPermit,
}

/// The one path sockets are served on.
const PATH: &str = "/ws";

/// `x-request-id`, as `common::request_id` names it.
const REQUEST_ID: &str = "x-request-id";

/// Identity values come from the gateway; anything odd is ignored rather
/// than copied into events and logs.
fn header_value(headers: &HeaderMap, name: &str) -> Option<String> {
    let value = headers.get(name)?.to_str().ok()?;
    request_id::is_well_formed(value).then(|| value.to_owned())
}

/// Accepts the upgrade (adding `x-request-id` to the answer) and says who
/// called, or refuses it with 404 (another path), 401 (no token, forged
/// identity), 403 (a page of another origin) or 429 (a cap reached).
#[allow(clippy::result_large_err)] // tungstenite's handshake callback returns this very type
pub fn accept(
    gate: &Gate,
    peer: SocketAddr,
    request: &Request,
    mut response: Response,
) -> Result<(Response, Admitted), ErrorResponse> {
    let headers = request.headers();
    let request_id = header_value(headers, REQUEST_ID).unwrap_or_else(|| uuid::Uuid::now_v7().to_string());
    let path = request.uri().path();
    if path != PATH {
        let message = format!(
            "no route for {} {path}; sockets are served on {PATH}",
            request.method()
        );
        return Err(refusal(
            StatusCode::NOT_FOUND,
            "route_not_found",
            message,
            &request_id,
        ));
    }
    if let Err(refused) = gate
        .token
        .check_with(|name| headers.get(name).map(HeaderValue::as_bytes))
    {
        let error = refused.to_error();
        let status = StatusCode::from_u16(error.status().as_u16()).unwrap_or(StatusCode::UNAUTHORIZED);
        return Err(refusal(
            status,
            error.code(),
            error.message().to_owned(),
            &request_id,
        ));
    }
    // With a token, only the gateway got this far, and it checked the
    // page's origin itself (and forwards it as is).
    let from_gateway = gate.token.is_set();
    if !from_gateway && !origin_allowed(headers.get(header::ORIGIN), &gate.public_origins) {
        let message = "a web page may only open a socket through the gateway; \
                       direct connections from other origins are refused (see TONEARM_PUBLIC_ORIGINS)";
        return Err(refusal(
            StatusCode::FORBIDDEN,
            "cross_origin",
            message.to_owned(),
            &request_id,
        ));
    }
    let user = header_value(headers, USER_HEADER);
    let address = client_address(headers, peer, from_gateway);
    let permit = gate.caps.admit(user.as_deref(), address).map_err(|reached| {
        refusal(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_sockets",
            reached.to_string(),
            &request_id,
        )
    })?;
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        response.headers_mut().insert(REQUEST_ID, value);
    }
    let identity = Identity {
        session: header_value(headers, SESSION_HEADER)
            .unwrap_or_else(|| format!("anon-{}", uuid::Uuid::new_v4())),
        user,
        request_id: Some(request_id),
    };
    Ok((response, Admitted { identity, permit }))
}

/// Browsers send `Origin` on every WebSocket upgrade; other clients (the
/// gateway, tools) send none. A page may connect only from an origin listed
/// in `TONEARM_PUBLIC_ORIGINS`; `null` and unparsable origins never.
fn origin_allowed(origin: Option<&HeaderValue>, public_origins: &[String]) -> bool {
    let Some(origin) = origin else {
        return true;
    };
    let Ok(url) = origin.to_str().map(url::Url::parse) else {
        return false;
    };
    url.is_ok_and(|url| public_origins.contains(&url.origin().ascii_serialization()))
}

/// The JSON error answer; the connection closes after it.
fn refusal(status: StatusCode, code: &str, message: String, request_id: &str) -> ErrorResponse {
    tracing::info!(
        request_id,
        status = status.as_u16(),
        code,
        "socket upgrade refused"
    );
    let body = ErrorBody {
        error: common::error::ErrorDetail {
            code: code.to_owned(),
            message,
            request_id: Some(request_id.to_owned()),
        },
    };
    let json = serde_json::to_string(&body).unwrap_or_default();
    let mut response = ErrorResponse::new(Some(json.clone()));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(json.len()));
    headers.insert(header::CONNECTION, HeaderValue::from_static("close"));
    if let Ok(value) = HeaderValue::from_str(request_id) {
        headers.insert(REQUEST_ID, value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "s3cret-0123456789";

    fn gate(token: Option<&str>) -> Gate {
        Gate {
            token: InternalToken::new(token.map(str::to_owned)),
            public_origins: vec!["https://music.example.org".into()],
            caps: SocketCaps::new(20, 50),
        }
    }

    fn peer() -> SocketAddr {
        "127.0.0.1:40000".parse().expect("peer")
    }

    fn status_and_code(refused: &ErrorResponse) -> (StatusCode, String) {
        let body: serde_json::Value =
            serde_json::from_str(refused.body().as_deref().unwrap_or_default()).expect("JSON body");
        (
            refused.status(),
            body["error"]["code"].as_str().unwrap_or_default().to_owned(),
        )
    }

    fn upgrade(path: &str, headers: &[(&str, &str)]) -> Request {
        let mut builder = Request::builder().uri(path);
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        builder.body(()).expect("request")
    }

    #[test]
    fn the_request_id_header_is_the_services_one() {
        assert_eq!(REQUEST_ID, request_id::HEADER.as_str());
    }

    #[test]
    fn other_paths_are_not_found() {
        let refused =
            accept(&gate(None), peer(), &upgrade("/other", &[]), Response::new(())).expect_err("refused");
        assert_eq!(refused.status(), StatusCode::NOT_FOUND);
        assert!(
            refused
                .body()
                .as_deref()
                .is_some_and(|body| body.contains("route_not_found"))
        );
    }

    #[test]
    fn forged_identity_is_refused_and_the_gateways_is_taken() {
        let gate = gate(Some(TOKEN));
        let forged = upgrade("/ws", &[(SESSION_HEADER, "sess-1")]);
        let refused = accept(&gate, peer(), &forged, Response::new(())).expect_err("refused");
        assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
        assert!(
            refused
                .body()
                .as_deref()
                .is_some_and(|body| body.contains("forged_identity"))
        );

        let genuine = upgrade(
            "/ws",
            &[
                (SESSION_HEADER, "sess-1"),
                (USER_HEADER, "user-1"),
                ("x-tonearm-internal-token", TOKEN),
                ("x-request-id", "req-1"),
            ],
        );
        let (response, admitted) = accept(&gate, peer(), &genuine, Response::new(())).expect("accepted");
        let identity = admitted.identity;
        assert_eq!(identity.session, "sess-1");
        assert_eq!(identity.user.as_deref(), Some("user-1"));
        assert_eq!(identity.request_id.as_deref(), Some("req-1"));
        assert_eq!(response.headers()["x-request-id"], "req-1");
    }

    #[test]
    fn odd_identity_values_are_ignored() {
        let request = upgrade(
            "/ws",
            &[
                (SESSION_HEADER, "a b"),
                ("x-request-id", "x\ty"),
                ("x-tonearm-internal-token", TOKEN),
            ],
        );
        let (_, admitted) =
            accept(&gate(Some(TOKEN)), peer(), &request, Response::new(())).expect("accepted");
        assert!(admitted.identity.session.starts_with("anon-"));
        assert_ne!(admitted.identity.request_id.as_deref(), Some("x\ty"));
    }

    #[test]
    fn with_a_token_an_upgrade_without_it_is_refused() {
        let refused = accept(
            &gate(Some(TOKEN)),
            peer(),
            &upgrade("/ws", &[]),
            Response::new(()),
        )
        .expect_err("refused");
        assert_eq!(
            status_and_code(&refused),
            (StatusCode::UNAUTHORIZED, "internal_token_required".into())
        );
    }

    #[test]
    fn without_a_token_only_listed_origins_and_non_browsers_connect() {
        let gate = gate(None);
        for origin in ["https://evil.example", "http://127.0.0.1:9999", "null"] {
            let request = upgrade("/ws", &[("origin", origin)]);
            let refused = accept(&gate, peer(), &request, Response::new(())).expect_err("refused");
            assert_eq!(
                status_and_code(&refused),
                (StatusCode::FORBIDDEN, "cross_origin".into()),
                "{origin}"
            );
        }
        let listed = upgrade("/ws", &[("origin", "https://music.example.org")]);
        assert!(accept(&gate, peer(), &listed, Response::new(())).is_ok());
        assert!(accept(&gate, peer(), &upgrade("/ws", &[]), Response::new(())).is_ok());
    }
}
