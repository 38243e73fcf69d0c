//! Cross-site request forgery: a state-changing request (anything but GET,
//! HEAD, OPTIONS) that a browser marks as coming from another site is
//! refused. Browsers send `Origin` on such requests; it must name this
//! gateway's own host or one of `TONEARM_PUBLIC_ORIGINS`. Requests without
//! `Origin` (curl, servers) are not sent by browsers cross-site, but a
//! `Sec-Fetch-Site: cross-site` marker is still refused.

use actix_web::{
    Error, HttpRequest,
    body::{EitherBody, MessageBody},
    dev::{ServiceRequest, ServiceResponse},
    http::{Method, header},
    middleware::Next,
    web,
};

use crate::{error::GatewayError, state::Gateway};

/// True when `req` may change state.
pub fn allowed(req: &HttpRequest, public_origins: &[String]) -> bool {
    matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) || same_origin(req, public_origins)
}

/// True unless the browser says the request comes from another site. Also
/// used for WebSocket upgrades, which are GETs that browsers send
/// cross-site with cookies.
pub fn same_origin(req: &HttpRequest, public_origins: &[String]) -> bool {
    let origin = req
        .headers()
        .get(header::ORIGIN)
        .and_then(|value| value.to_str().ok());
    let Some(origin) = origin else {
        let site = req
            .headers()
            .get("sec-fetch-site")
            .and_then(|value| value.to_str().ok());
        return site != Some("cross-site");
    };
    let Ok(url) = reqwest::Url::parse(origin) else {
        return false; // includes the opaque `null` origin
    };
    if public_origins
        .iter()
        .any(|allowed| *allowed == url.origin().ascii_serialization())
    {
        return true;
    }
    let authority = match (url.host_str(), url.port()) {
        (Some(host), Some(port)) => format!("{host}:{port}"),
        (Some(host), None) => host.to_owned(),
        (None, _) => return false,
    };
    let own_host = req
        .headers()
        .get(header::HOST)
        .and_then(|value| value.to_str().ok());
    own_host.is_some_and(|own| own.eq_ignore_ascii_case(&authority))
}

/// The middleware form, mounted around every gateway route.
pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, Error> {
    let origins = req
        .app_data::<web::Data<Gateway>>()
        .map_or(&[][..], |gateway| gateway.settings.public_origins.as_slice());
    if !allowed(req.request(), origins) {
        return Ok(crate::proxy::path::refuse(req, &GatewayError::CrossOrigin));
    }
    next.call(req).await.map(ServiceResponse::map_into_left_body)
}

#[cfg(test)]
mod tests {
    use actix_web::test::TestRequest;

    use super::*;

    fn post(origin: Option<&str>) -> HttpRequest {
        let mut request = TestRequest::post().insert_header((header::HOST, "music.local:8080"));
        if let Some(origin) = origin {
            request = request.insert_header((header::ORIGIN, origin));
        }
        request.to_http_request()
    }

    #[test]
    fn same_host_and_listed_origins_pass_others_do_not() {
        assert!(allowed(&post(Some("http://music.local:8080")), &[]));
        assert!(allowed(&post(None), &[]));
        assert!(!allowed(&post(Some("https://evil.example")), &[]));
        assert!(!allowed(&post(Some("null")), &[]));
        assert!(allowed(
            &post(Some("https://evil.example")),
            &["https://evil.example".into()]
        ));
    }
}
