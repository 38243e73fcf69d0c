//! The OpenAPI document of the catalog API.

use actix_web::HttpResponse;
use utoipa::OpenApi;

use super::{
    covers, dto, favourites, internal, library, play_queue, playlists, scans, search, songs, sources,
};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Tonearm catalog",
        description = "Songs, albums, artists, search, scans and Internet sources; each user's favourites, playlists and play queue."
    ),
    paths(
        songs::list,
        songs::get,
        library::albums,
        library::album,
        library::artists,
        library::artist,
        library::artist_index,
        library::genres,
        search::search,
        covers::song_cover,
        covers::album_cover,
        scans::start,
        scans::current,
        scans::errors,
        internal::source_missing,
        sources::add,
        sources::list,
        sources::delete,
        sources::refresh,
        favourites::star,
        favourites::unstar,
        favourites::list,
        favourites::ids,
        favourites::times,
        playlists::list,
        playlists::create,
        playlists::get,
        playlists::update,
        playlists::replace_songs,
        playlists::append_songs,
        playlists::delete,
        play_queue::get,
        play_queue::save,
        sources::channels,
    ),
    components(schemas(
        dto::Song,
        dto::SongDetail,
        dto::Album,
        dto::AlbumDetail,
        dto::Artist,
        dto::ArtistDetail,
        dto::IndexedArtist,
        dto::Genre,
        dto::SearchResults,
        dto::SearchHit,
        dto::ArtistRef,
        dto::AlbumRef,
        dto::ScanProgress,
        dto::ScanError,
        dto::Source,
        dto::Channel,
        sources::NewSource,
        dto::Favourites,
        dto::FavouriteIds,
        dto::FavouriteTimes,
        dto::StarredSong,
        dto::StarredAlbum,
        dto::StarredArtist,
        dto::PlaylistSummary,
        dto::PlaylistDetail,
        dto::PlaylistList,
        dto::Owner,
        dto::NewPlaylist,
        dto::PlaylistChange,
        dto::PlaylistSongs,
        dto::PlayQueue,
        dto::SavePlayQueue,
    ))
)]
pub struct ApiDoc;

/// `GET /api/catalog/openapi.json`
pub async fn serve() -> HttpResponse {
    HttpResponse::Ok().json(ApiDoc::openapi())
}
