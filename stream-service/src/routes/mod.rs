//! The HTTP routes of the stream service.

mod respond;
mod songs;

use actix_web::web;

pub use songs::StreamState;

/// Mounts `GET` and `HEAD /api/stream/songs/{id}`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/api/stream/songs/{id}")
            .route(web::get().to(songs::stream_song))
            .route(web::head().to(songs::stream_song)),
    );
}
