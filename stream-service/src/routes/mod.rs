//! The HTTP routes of the stream service.

mod openapi;
mod respond;
mod songs;

use actix_web::{
    http::header::{CONTENT_SECURITY_POLICY, X_CONTENT_TYPE_OPTIONS},
    middleware::DefaultHeaders,
    web,
};
use utoipa::OpenApi as _;

pub use songs::StreamState;

/// Mounts `GET` and `HEAD /api/stream/songs/{id}`, and the API document
/// (`GET /api/stream/openapi.json`).
///
/// Every answer of the route (bytes, transcodes and errors alike) carries
/// `X-Content-Type-Options: nosniff`, so a browser never guesses HTML out
/// of song bytes, and `Content-Security-Policy: sandbox`, so even a
/// document opened from this origin runs no script with the user's session.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/api/stream/songs/{id}")
            .wrap(
                DefaultHeaders::new()
                    .add((X_CONTENT_TYPE_OPTIONS, "nosniff"))
                    .add((CONTENT_SECURITY_POLICY, "sandbox")),
            )
            .route(web::get().to(songs::stream_song))
            .route(web::head().to(songs::stream_song)),
    );
    common::http::serve_openapi(cfg, "/api/stream/openapi.json", &openapi::ApiDoc::openapi());
}
