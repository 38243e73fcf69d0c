//! `GET songs`, `GET songs/{id}`.

use actix_web::{HttpRequest, HttpResponse, web};
use common::{
    ApiError,
    identity::{Identity, Role},
};

use super::{AppState, db_error, dto};
use crate::{
    ids::parse_id,
    query::{RawSongsQuery, SongsRequest},
    repository::Subject,
    store::songs,
};

/// Songs with filters, sort and keyset pagination.
#[utoipa::path(get, path = "/api/catalog/songs", params(RawSongsQuery),
    responses((status = 200, body = dto::Page<dto::Song>), (status = 400, description = "a parameter is invalid")))]
pub async fn list(
    state: web::Data<AppState>,
    query: web::Query<RawSongsQuery>,
) -> Result<HttpResponse, ApiError> {
    let request = SongsRequest::try_from(query.into_inner())?;
    let (rows, next) = songs::page(
        state.db()?,
        &request.filters,
        request.sort,
        request.order,
        request.limit,
        request.cursor.as_ref(),
    )
    .await
    .map_err(db_error)?;
    Ok(HttpResponse::Ok().json(dto::Page {
        items: rows.iter().map(dto::Song::from).collect(),
        next_cursor: next.map(|cursor| cursor.encode()),
    }))
}

/// One song with every tag, technical details and repository details. The
/// origin URL of an Internet song is shown to admins only: a private feed
/// carries its subscriber's token in it.
#[utoipa::path(get, path = "/api/catalog/songs/{id}",
    responses((status = 200, body = dto::SongDetail), (status = 400), (status = 404)))]
pub async fn get(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = parse_id(&id, "song")?;
    let row = songs::get(state.db()?, id)
        .await
        .map_err(db_error)?
        .ok_or_else(|| ApiError::not_found(format!("song {id}")))?;
    let details = state.index.details(Subject::Song(&row)).await;
    let mut detail = dto::SongDetail::new(&row, details);
    if Identity::from_headers(req.headers()).role != Role::Admin {
        detail.url = None;
    }
    Ok(HttpResponse::Ok().json(detail))
}
