//! Admin routes need `x-tonearm-role: admin`, which only the gateway sets
//! (it strips `x-tonearm-*` headers from client requests; with
//! `TONEARM_INTERNAL_TOKEN` set, common refuses forged ones).

use actix_web::HttpRequest;
use common::identity::Identity;

use super::CatalogResult;

/// 403 unless the request carries the admin role.
pub fn require_admin(req: &HttpRequest) -> CatalogResult<()> {
    Ok(Identity::from_headers(req.headers()).require_admin()?)
}
