//! `playlists`: the caller's own and everyone's public ones; only the
//! owner changes one, and someone else's private playlist looks missing.

use actix_web::{HttpResponse, web};
use uuid::Uuid;

use super::{
    AppState, CatalogError, CatalogResult, dto,
    params::{parse_id, parse_song_ids},
    signed_in::SignedIn,
};
use crate::{
    domain::{
        playlist::{Access, NewPlaylist, Playlist, PlaylistChange, PlaylistComment, PlaylistName, SongList},
        user::UserId,
    },
    store::{
        playlists::{self, SongsChanged},
        songs,
    },
};

/// The playlist `id` as `user` may see it: 404 when missing or someone
/// else's private one, 403 when `change` is asked of a non-owner.
async fn find(state: &AppState, user: &UserId, id: &str, change: bool) -> CatalogResult<Playlist> {
    let id = parse_id(id, "playlist")?;
    let missing = || CatalogError::not_found(format!("playlist {id}"));
    let playlist = playlists::get(state.db()?, id).await?.ok_or_else(missing)?;
    match (playlist.access(user), change) {
        (Access::Owner, _) | (Access::Reader, false) => Ok(playlist),
        (Access::Reader, true) => Err(CatalogError::NotOwner(id)),
        (Access::None, _) => Err(missing()),
    }
}

/// Song ids checked against the catalog: 400 naming the first unknown one.
async fn known_songs(state: &AppState, texts: &[String]) -> CatalogResult<SongList> {
    let list = SongList::try_from(parse_song_ids(texts)?)?;
    match songs::first_unknown(state.db()?, list.ids()).await? {
        Some(unknown) => Err(CatalogError::UnknownSong(unknown)),
        None => Ok(list),
    }
}

/// The playlist with its songs, read again after a change.
async fn detail(state: &AppState, id: Uuid) -> CatalogResult<dto::PlaylistDetail> {
    let pool = state.db()?;
    let playlist = playlists::get(pool, id)
        .await?
        .ok_or_else(|| CatalogError::not_found(format!("playlist {id}")))?;
    let songs = playlists::songs_of(pool, id).await?;
    Ok(dto::PlaylistDetail {
        playlist: dto::PlaylistSummary::from(&playlist),
        songs: songs.iter().map(dto::Song::from).collect(),
    })
}

/// The caller's playlists and everyone's public ones, by name.
#[utoipa::path(get, path = "/api/catalog/playlists",
    responses((status = 200, body = dto::PlaylistList), (status = 401)))]
pub async fn list(state: web::Data<AppState>, SignedIn(user): SignedIn) -> CatalogResult<HttpResponse> {
    let found = playlists::visible_to(state.db()?, &user).await?;
    Ok(HttpResponse::Ok().json(dto::PlaylistList {
        items: found.iter().map(dto::PlaylistSummary::from).collect(),
    }))
}

/// Creates a playlist owned by the caller.
#[utoipa::path(post, path = "/api/catalog/playlists", request_body = dto::NewPlaylist,
    responses((status = 201, body = dto::PlaylistDetail), (status = 400, description = "a field is invalid or a song unknown"), (status = 401)))]
pub async fn create(
    state: web::Data<AppState>,
    SignedIn(user): SignedIn,
    body: web::Json<dto::NewPlaylist>,
) -> CatalogResult<HttpResponse> {
    let new = NewPlaylist {
        owner: user,
        name: PlaylistName::try_from(body.name.as_str())?,
        comment: PlaylistComment::try_from(body.comment.as_deref().unwrap_or_default())?,
        public: body.public.unwrap_or(false),
        songs: known_songs(&state, body.songs.as_deref().unwrap_or_default()).await?,
    };
    let id = playlists::create(state.db()?, &new).await?;
    Ok(HttpResponse::Created().json(detail(&state, id).await?))
}

/// One playlist with its songs in order.
#[utoipa::path(get, path = "/api/catalog/playlists/{id}",
    responses((status = 200, body = dto::PlaylistDetail), (status = 400), (status = 401), (status = 404)))]
pub async fn get(
    state: web::Data<AppState>,
    SignedIn(user): SignedIn,
    id: web::Path<String>,
) -> CatalogResult<HttpResponse> {
    let playlist = find(&state, &user, &id, false).await?;
    Ok(HttpResponse::Ok().json(detail(&state, playlist.id).await?))
}

/// Renames, comments, or makes public or private (owner only).
#[utoipa::path(patch, path = "/api/catalog/playlists/{id}", request_body = dto::PlaylistChange,
    responses((status = 200, body = dto::PlaylistSummary), (status = 400), (status = 401), (status = 403, description = "not_owner"), (status = 404)))]
pub async fn update(
    state: web::Data<AppState>,
    SignedIn(user): SignedIn,
    id: web::Path<String>,
    body: web::Json<dto::PlaylistChange>,
) -> CatalogResult<HttpResponse> {
    let change = PlaylistChange {
        name: body.name.as_deref().map(PlaylistName::try_from).transpose()?,
        comment: body
            .comment
            .as_deref()
            .map(PlaylistComment::try_from)
            .transpose()?,
        public: body.public,
    };
    let playlist = find(&state, &user, &id, true).await?;
    let pool = state.db()?;
    playlists::update(pool, playlist.id, &change).await?;
    let changed = playlists::get(pool, playlist.id)
        .await?
        .ok_or_else(|| CatalogError::not_found(format!("playlist {}", playlist.id)))?;
    Ok(HttpResponse::Ok().json(dto::PlaylistSummary::from(&changed)))
}

/// Replaces the whole order (owner only): adding, removing and reordering
/// are all this.
#[utoipa::path(put, path = "/api/catalog/playlists/{id}/songs", request_body = dto::PlaylistSongs,
    responses((status = 200, body = dto::PlaylistDetail), (status = 400), (status = 401), (status = 403), (status = 404)))]
pub async fn replace_songs(
    state: web::Data<AppState>,
    SignedIn(user): SignedIn,
    id: web::Path<String>,
    body: web::Json<dto::PlaylistSongs>,
) -> CatalogResult<HttpResponse> {
    change_songs(&state, &user, &id, &body.songs, false).await
}

/// Appends songs (owner only).
#[utoipa::path(post, path = "/api/catalog/playlists/{id}/songs", request_body = dto::PlaylistSongs,
    responses((status = 200, body = dto::PlaylistDetail), (status = 400), (status = 401), (status = 403), (status = 404)))]
pub async fn append_songs(
    state: web::Data<AppState>,
    SignedIn(user): SignedIn,
    id: web::Path<String>,
    body: web::Json<dto::PlaylistSongs>,
) -> CatalogResult<HttpResponse> {
    change_songs(&state, &user, &id, &body.songs, true).await
}

async fn change_songs(
    state: &AppState,
    user: &UserId,
    id: &str,
    texts: &[String],
    append: bool,
) -> CatalogResult<HttpResponse> {
    let playlist = find(state, user, id, true).await?;
    let list = known_songs(state, texts).await?;
    match playlists::set_songs(state.db()?, playlist.id, list.ids(), append).await? {
        SongsChanged::Done => Ok(HttpResponse::Ok().json(detail(state, playlist.id).await?)),
        SongsChanged::Missing => Err(CatalogError::not_found(format!("playlist {}", playlist.id))),
        SongsChanged::TooMany => {
            Err(crate::domain::user::FieldError::new("songs", "a playlist holds at most 10000 songs").into())
        }
    }
}

/// Deletes a playlist (owner only).
#[utoipa::path(delete, path = "/api/catalog/playlists/{id}",
    responses((status = 204), (status = 400), (status = 401), (status = 403), (status = 404)))]
pub async fn delete(
    state: web::Data<AppState>,
    SignedIn(user): SignedIn,
    id: web::Path<String>,
) -> CatalogResult<HttpResponse> {
    let playlist = find(&state, &user, &id, true).await?;
    playlists::delete(state.db()?, playlist.id).await?;
    Ok(HttpResponse::NoContent().finish())
}
