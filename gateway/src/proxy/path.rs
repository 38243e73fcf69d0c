//! Paths are checked on their raw form before any routing: a request that
//! tries to climb out of its prefix or smuggle separators through
//! percent-encoding is refused with 400, so no service ever sees it.

use actix_web::{
    Error,
    body::MessageBody,
    dev::{ServiceRequest, ServiceResponse},
    middleware::Next,
};

use crate::error::GatewayError;

/// Why a raw path is refused, or `Ok`.
pub fn check(raw: &str) -> Result<(), &'static str> {
    if !raw.starts_with('/') {
        return Err("the path must start with /");
    }
    if raw.bytes().any(|b| b.is_ascii_control() || b == b'\\') {
        return Err("control characters and backslashes are not allowed");
    }
    let lower = raw.to_ascii_lowercase();
    for (needle, reason) in [
        ("%00", "encoded NUL bytes are not allowed"),
        ("%2f", "encoded slashes are not allowed"),
        ("%5c", "encoded backslashes are not allowed"),
        ("%2e", "encoded dots are not allowed"),
        ("%25", "double percent-encoding is not allowed"),
    ] {
        if lower.contains(needle) {
            return Err(reason);
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

/// The middleware form; mounted around every gateway route.
pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    if let Err(reason) = check(req.uri().path()) {
        return Err(GatewayError::InvalidPath(reason).into());
    }
    next.call(req).await
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
        ] {
            assert!(check(path).is_err(), "{path}");
        }
    }
}
