//! The upgrade request of a socket: only `GET /ws`, identity headers only
//! with the gateway's token, the caller's identity read from the headers.
//! A refusal is the usual JSON error body.

use common::{
    ErrorBody,
    identity::{InternalToken, SESSION_HEADER, USER_HEADER},
    request_id,
};
use tokio_tungstenite::tungstenite::{
    handshake::server::{ErrorResponse, Request, Response},
    http::{HeaderMap, HeaderValue, StatusCode, header},
};

use super::Identity;

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
/// called, or refuses it with 404 (another path) or 401 (forged identity).
#[allow(clippy::result_large_err)] // tungstenite's handshake callback returns this very type
pub fn accept(
    token: &InternalToken,
    request: &Request,
    mut response: Response,
) -> Result<(Response, Identity), ErrorResponse> {
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
    if let Err(refused) = token.check_with(|name| headers.get(name).map(HeaderValue::as_bytes)) {
        let error = refused.to_error();
        let status = StatusCode::from_u16(error.status().as_u16()).unwrap_or(StatusCode::UNAUTHORIZED);
        return Err(refusal(
            status,
            error.code(),
            error.message().to_owned(),
            &request_id,
        ));
    }
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        response.headers_mut().insert(REQUEST_ID, value);
    }
    let identity = Identity {
        session: header_value(headers, SESSION_HEADER)
            .unwrap_or_else(|| format!("anon-{}", uuid::Uuid::new_v4())),
        user: header_value(headers, USER_HEADER),
        request_id: Some(request_id),
    };
    Ok((response, identity))
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
        let refused = accept(
            &InternalToken::new(None),
            &upgrade("/other", &[]),
            Response::new(()),
        )
        .expect_err("refused");
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
        let token = InternalToken::new(Some("s3cret".into()));
        let forged = upgrade("/ws", &[(SESSION_HEADER, "sess-1")]);
        let refused = accept(&token, &forged, Response::new(())).expect_err("refused");
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
                ("x-tonearm-internal-token", "s3cret"),
                ("x-request-id", "req-1"),
            ],
        );
        let (response, identity) = accept(&token, &genuine, Response::new(())).expect("accepted");
        assert_eq!(identity.session, "sess-1");
        assert_eq!(identity.user.as_deref(), Some("user-1"));
        assert_eq!(identity.request_id.as_deref(), Some("req-1"));
        assert_eq!(response.headers()["x-request-id"], "req-1");
    }

    #[test]
    fn odd_identity_values_are_ignored() {
        let token = InternalToken::new(Some("s3cret".into()));
        let request = upgrade(
            "/ws",
            &[
                (SESSION_HEADER, "a b"),
                ("x-request-id", "x\ty"),
                ("x-tonearm-internal-token", "s3cret"),
            ],
        );
        let (_, identity) = accept(&token, &request, Response::new(())).expect("accepted");
        assert!(identity.session.starts_with("anon-"));
        assert_ne!(identity.request_id.as_deref(), Some("x\ty"));
    }
}
