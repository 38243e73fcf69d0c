//! Admin routes need `x-tonearm-role: admin`, which only the gateway sets
//! (it strips the header from client requests).

use actix_web::HttpRequest;
use common::ApiError;

/// The header naming the caller's role.
pub const ROLE_HEADER: &str = "x-tonearm-role";

/// 403 unless the request carries the admin role.
pub fn require_admin(req: &HttpRequest) -> Result<(), ApiError> {
    let role = req
        .headers()
        .get(ROLE_HEADER)
        .and_then(|value| value.to_str().ok());
    if role.map(str::trim) == Some("admin") {
        Ok(())
    } else {
        Err(ApiError::forbidden("this action needs the admin role"))
    }
}
