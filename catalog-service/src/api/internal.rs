//! `POST internal/songs/{id}/source-missing`: the stream service found a
//! local file missing; the catalog checks the file again.

use super::{AppState, CatalogError, CatalogResult, params::parse_id};
use actix_web::{HttpResponse, web};

/// Re-checks the song's file: gone -> the song is removed; present -> it is
/// read again. Answers 202 at once; the check runs in the background.
#[utoipa::path(post, path = "/api/catalog/internal/songs/{id}/source-missing",
    responses((status = 202), (status = 400), (status = 404)))]
pub async fn source_missing(
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> CatalogResult<HttpResponse> {
    let id = parse_id(&id, "song")?;
    let song = crate::store::songs::get(state.db()?, id)
        .await?
        .ok_or_else(|| CatalogError::not_found(format!("song {id}")))?;
    if let Some(path) = song.path {
        let scanner = state.scanner.clone();
        tokio::spawn(async move {
            if let Err(error) = scanner.recheck(&[std::path::PathBuf::from(path)]).await {
                tracing::warn!(error = format!("{error:#}"), "re-checking a missing file failed");
            }
        });
    }
    Ok(HttpResponse::Accepted().json(serde_json::json!({ "status": "accepted" })))
}
