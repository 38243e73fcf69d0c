//! `GET search?q=`: songs, albums and artists, as you type.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::{
    AppState, CatalogError, CatalogResult, dto,
    params::{parse_limit, parse_q},
};
use crate::{
    domain::NamedHit,
    store::search::{self, Table},
};

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct SearchQuery {
    /// What the user typed (1..200 characters).
    pub q: Option<String>,
    /// Results per group, 1..500, default 10.
    pub limit: Option<String>,
}

/// Grouped search results, best first.
#[utoipa::path(get, path = "/api/catalog/search", params(SearchQuery),
    responses((status = 200, body = dto::SearchResults), (status = 400)))]
pub async fn search(
    state: web::Data<AppState>,
    req: HttpRequest,
    query: web::Query<SearchQuery>,
) -> CatalogResult<HttpResponse> {
    let q = parse_q(query.q.as_deref())?.ok_or_else(|| CatalogError::invalid("q", "expected some text"))?;
    let limit = i64::from(match query.limit {
        None => 10,
        Some(_) => parse_limit(query.limit.as_deref())?,
    });
    state.kept.json(&req, || results(&state, q, limit)).await
}

async fn results(state: &AppState, q: String, limit: i64) -> CatalogResult<dto::SearchResults> {
    let pool = state.search_db()?;
    let (songs, albums, artists) = tokio::try_join!(
        search::songs(pool, &q, limit),
        search::named(pool, Table::Albums, &q, limit),
        search::named(pool, Table::Artists, &q, limit),
    )?;
    let hit = |row: &NamedHit| dto::SearchHit {
        id: row.id,
        name: row.name.clone(),
        artist: row.artist.clone(),
    };
    Ok(dto::SearchResults {
        songs: songs.iter().map(dto::Song::from).collect(),
        albums: albums.iter().map(hit).collect(),
        artists: artists.iter().map(hit).collect(),
    })
}
