//! Paths are checked on their raw form before any routing: a request that
//! tries to climb out of its prefix or smuggle separators through
//! percent-encoding is refused with 400, so no service ever sees it.

use actix_web::{
    Error,
    body::{EitherBody, MessageBody},
    dev::{ServiceRequest, ServiceResponse},
    middleware::Next,
};

use actix_web::ResponseError as _;

use crate::error::GatewayError;

/// Why a raw path is refused, or `Ok`.
pub fn check(raw: &str) -> Result<(), &'static str> {
    if !raw.starts_with('/') {
        return Err("the path must start with /");
    }
    if raw.bytes().any(|b| b.is_ascii_control() || b == b'\\') {
        return Err("control characters and backslashes are not allowed");
    }
    // Most paths hold no escape at all: then nothing is scanned again.
    if raw.contains('%') {
        for (code, reason) in [
            (b"00", "encoded NUL bytes are not allowed"),
            (b"2f", "encoded slashes are not allowed"),
            (b"5c", "encoded backslashes are not allowed"),
            (b"2e", "encoded dots are not allowed"),
            (b"25", "double percent-encoding is not allowed"),
        ] {
            if contains_escape(raw, code) {
                return Err(reason);
            }
        }
    }
    if raw.split('/').any(|segment| segment == "." || segment == "..") {
        return Err("'.' and '..' segments are not allowed");
    }
    if raw.contains("//") {
        return Err("empty path segments are not allowed");
    }
    Ok(())
}

/// True when `raw` holds `%` followed by `code` (lower case), in any case.
fn contains_escape(raw: &str, code: &[u8; 2]) -> bool {
    raw.as_bytes()
        .windows(3)
        .any(|window| window[0] == b'%' && window[1..].eq_ignore_ascii_case(code))
}

/// Answers `req` with `error` here, as a response rather than an error, so
/// the middlewares around it (request id, browser headers) see it.
pub fn refuse<B>(req: ServiceRequest, error: &GatewayError) -> ServiceResponse<EitherBody<B>> {
    req.into_response(error.error_response()).map_into_right_body()
}

/// The middleware form; mounted around every gateway route.
pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, Error> {
    if let Err(reason) = check(req.uri().path()) {
        return Ok(refuse(req, &GatewayError::InvalidPath(reason)));
    }
    next.call(req).await.map(ServiceResponse::map_into_left_body)
}

#[cfg(test)]
mod tests {
    use super::check;

    #[test]
    fn ordinary_paths_pass() {
        assert!(check("/api/catalog/songs/0f3e?q=a%20b").is_ok());
        assert!(check("/").is_ok());
        assert!(check("/assets/app-1234.js").is_ok());
    }

    #[test]
    fn tricks_are_refused() {
        for path in [
            "/api/catalog/../admin",
            "/api/catalog/./x",
            "/api/catalog/%2e%2e/admin",
            "/api/catalog/a%2Fb",
            "/api/catalog/a%00b",
            "/api/catalog/a%5cb",
            "/api/catalog/a%252fb",
            "/api/catalog//x",
            "/api/catalog/..",
            "/api/catalog/A%2eB",
            "/api/catalog/a%2E%2Eb",
        ] {
            assert!(check(path).is_err(), "{path}");
        }
    }
}
