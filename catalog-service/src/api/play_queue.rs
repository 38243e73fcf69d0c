//! `GET`/`PUT play-queue`: the caller's saved queue.

use actix_web::{HttpResponse, web};

use super::{
    AppState, CatalogError, CatalogResult, dto,
    params::{parse_id, parse_song_ids},
    signed_in::SignedIn,
};
use crate::{
    domain::play_queue::NewPlayQueue,
    store::{play_queue, songs},
};

/// The caller's saved queue; an empty one when never saved.
#[utoipa::path(get, path = "/api/catalog/play-queue",
    responses((status = 200, body = dto::PlayQueue), (status = 401)))]
pub async fn get(state: web::Data<AppState>, SignedIn(user): SignedIn) -> CatalogResult<HttpResponse> {
    let queue = play_queue::get(state.db()?, &user).await?;
    Ok(HttpResponse::Ok().json(dto::PlayQueue::from(&queue)))
}

/// Replaces the caller's saved queue.
#[utoipa::path(put, path = "/api/catalog/play-queue", request_body = dto::SavePlayQueue,
    responses((status = 204), (status = 400, description = "a malformed or unknown song, `current` not in `songs`, too many songs"), (status = 401)))]
pub async fn save(
    state: web::Data<AppState>,
    SignedIn(user): SignedIn,
    body: web::Json<dto::SavePlayQueue>,
) -> CatalogResult<HttpResponse> {
    let body = body.into_inner();
    let songs = parse_song_ids(&body.songs)?;
    let current = body
        .current
        .as_deref()
        .map(|text| parse_id(text, "song"))
        .transpose()?;
    let queue = NewPlayQueue::new(user, songs, current, body.position_ms, body.client.as_deref())?;
    let pool = state.db()?;
    if let Some(unknown) = songs::first_unknown(pool, &queue.songs).await? {
        return Err(CatalogError::UnknownSong(unknown));
    }
    play_queue::save(pool, &queue).await?;
    Ok(HttpResponse::NoContent().finish())
}
