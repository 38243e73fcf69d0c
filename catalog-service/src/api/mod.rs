//! The catalog's HTTP API under `/api/catalog/`: parsing ([`params`]),
//! the wire format ([`dto`]) and one error type ([`CatalogError`]). It
//! imports the domain, the store, the sources and the details providers;
//! nothing imports it but the service's startup.

mod album_params;
mod covers;
pub mod dto;
pub mod error;
mod favourites;
mod internal;
pub mod kept;
mod library;
pub mod openapi;
pub mod params;
mod play_queue;
mod playlists;
mod scans;
mod search;
mod signed_in;
mod songs;
mod sources;

use actix_web::{middleware, web};
use sqlx::PgPool;

pub use error::{CatalogError, CatalogResult};

use crate::{
    covers::CoverCache,
    db::Migrated,
    details::DetailsFanOut,
    sources::{internet::InternetSources, local::scanner::Scanner},
};

/// What every handler needs.
#[derive(Clone)]
pub struct AppState {
    pub pool: PgPool,
    /// Connections of `GET search` (planner settings of their own).
    pub search_pool: PgPool,
    pub migrated: Migrated,
    /// Details providers (Last.fm), asked for every single item.
    pub details: DetailsFanOut,
    pub scanner: Scanner,
    pub internet: InternetSources,
    pub covers: CoverCache,
    /// Library list answers kept until the library changes.
    pub kept: kept::KeptAnswers,
}

impl AppState {
    /// The pool once the migrations are applied; 503 before.
    pub fn db(&self) -> CatalogResult<&PgPool> {
        self.ready(&self.pool)
    }

    /// The search pool once the migrations are applied; 503 before.
    pub fn search_db(&self) -> CatalogResult<&PgPool> {
        self.ready(&self.search_pool)
    }

    fn ready<'a>(&self, pool: &'a PgPool) -> CatalogResult<&'a PgPool> {
        if self.migrated.is_done() {
            Ok(pool)
        } else {
            Err(CatalogError::NotReady)
        }
    }
}

/// Largest body of the routes that take song lists (5000 ids).
const SONG_LIST_BODY_BYTES: usize = 512 * 1024;

/// Favourites, playlists and the play queue of the signed-in caller.
fn personal(cfg: &mut web::ServiceConfig) {
    let song_lists = || common::http::json_config().limit(SONG_LIST_BODY_BYTES);
    cfg.route("/favourites", web::get().to(favourites::list))
        .route("/favourites/ids", web::get().to(favourites::ids))
        .route("/favourites/times", web::get().to(favourites::times))
        .route("/favourites/{kind}/{id}", web::put().to(favourites::star))
        .route("/favourites/{kind}/{id}", web::delete().to(favourites::unstar))
        .service(
            web::resource("/playlists")
                .app_data(song_lists())
                .route(web::get().to(playlists::list))
                .route(web::post().to(playlists::create)),
        )
        .route("/playlists/{id}", web::get().to(playlists::get))
        .route("/playlists/{id}", web::patch().to(playlists::update))
        .route("/playlists/{id}", web::delete().to(playlists::delete))
        .service(
            web::resource("/playlists/{id}/songs")
                .app_data(song_lists())
                .route(web::put().to(playlists::replace_songs))
                .route(web::post().to(playlists::append_songs)),
        )
        .service(
            web::resource("/play-queue")
                .app_data(song_lists())
                .route(web::get().to(play_queue::get))
                .route(web::put().to(play_queue::save)),
        );
}

/// Mounts every catalog route; needs `web::Data<AppState>`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/api/catalog")
            .route("/openapi.json", web::get().to(openapi::serve))
            .route("/songs", web::get().to(songs::list))
            .route("/songs/{id}", web::get().to(songs::get))
            .service(
                web::resource("/songs/{id}/cover")
                    .wrap(covers::headers())
                    .route(web::get().to(covers::song_cover)),
            )
            .route("/albums", web::get().to(library::albums))
            .route("/albums/{id}", web::get().to(library::album))
            .service(
                web::resource("/albums/{id}/cover")
                    .wrap(covers::headers())
                    .route(web::get().to(covers::album_cover)),
            )
            .route("/artists", web::get().to(library::artists))
            .route("/artists/index", web::get().to(library::artist_index))
            .route("/artists/{id}", web::get().to(library::artist))
            .route("/genres", web::get().to(library::genres))
            .route("/search", web::get().to(search::search))
            .configure(personal)
            .route("/scans", web::post().to(scans::start))
            .route("/scans/current", web::get().to(scans::current))
            .route("/scan-errors", web::get().to(scans::errors))
            .service(
                web::scope("/sources")
                    .wrap(middleware::from_fn(kept::writes_change_the_library))
                    .route("", web::post().to(sources::add))
                    .route("", web::get().to(sources::list))
                    .route("/{id}", web::delete().to(sources::delete))
                    .route("/{id}/refresh", web::post().to(sources::refresh)),
            )
            .route("/channels", web::get().to(sources::channels))
            .route(
                "/internal/songs/{id}/source-missing",
                web::post().to(internal::source_missing),
            ),
    );
}
