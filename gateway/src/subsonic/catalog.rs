//! The catalog's public API as the Subsonic adapter reads it: one JSON
//! GET at a time through the gateway's upstream client (balancing,
//! failover, the internal token and the caller's identity), and pages
//! walked by cursor. No catalog query is repeated here.

use actix_web::HttpRequest;
use serde_json::Value;

use super::{auth::User, envelope::SubsonicError};
use crate::{
    error::GatewayError,
    proxy::{balancer::Service, forward, upstream},
    state::Gateway,
};

/// Largest page the catalog serves.
const PAGE: usize = 500;
/// Most pages walked for one answer (100,000 rows).
const MAX_PAGES: usize = 200;
/// Largest catalog answer read (a page of 500 rows is well under 1 MiB).
const MAX_ANSWER: usize = 64 * 1024 * 1024;

/// Reads the catalog as one user in one request.
pub struct Catalog<'a> {
    pub gateway: &'a Gateway,
    pub req: &'a HttpRequest,
    pub user: &'a User,
}

impl Catalog<'_> {
    /// `GET /api/catalog/<path>` with `query` pairs; 404 is error 70.
    pub async fn get(&self, path: &str, query: &[(&str, &str)]) -> Result<Value, SubsonicError> {
        let mut url = reqwest::Url::parse("http://catalog/api/catalog/")
            .and_then(|base| base.join(path))
            .map_err(|_| SubsonicError::not_found("item"))?;
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        let path_and_query = match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_owned(),
        };
        let caller = self.user.caller();
        let mut headers = forward::upstream_headers(self.req, self.gateway, &caller);
        for name in [
            "content-length",
            "content-type",
            "range",
            "if-range",
            "if-none-match",
            "if-modified-since",
        ] {
            headers.remove(name);
        }
        headers.insert(
            reqwest::header::ACCEPT,
            reqwest::header::HeaderValue::from_static("application/json"),
        );
        let timeout = Some(self.gateway.settings.request_timeout);
        let response = forward::send_without_body(
            self.gateway,
            Service::Catalog,
            &path_and_query,
            reqwest::Method::GET,
            headers,
            timeout,
        )
        .await
        .map_err(upstream_failed)?;
        match response.status().as_u16() {
            200 => {
                let body = upstream::collect(response, MAX_ANSWER)
                    .await
                    .map_err(|error| upstream_failed(GatewayError::Unexpected(error)))?;
                serde_json::from_slice(&body)
                    .map_err(|error| upstream_failed(GatewayError::Unexpected(error.into())))
            }
            // An id that is not a UUID is as unknown as a missing one.
            400 | 404 => Err(SubsonicError::not_found("item")),
            status => {
                tracing::warn!(status, "the catalog refused a subsonic call");
                Err(SubsonicError::generic("the catalog could not answer"))
            }
        }
    }

    /// The items of `path` from the start, pages walked until at least
    /// `need` items (or the end).
    pub async fn items(
        &self,
        path: &str,
        query: &[(&str, &str)],
        need: usize,
    ) -> Result<Vec<Value>, SubsonicError> {
        let mut items = Vec::new();
        let mut cursor: Option<String> = None;
        let limit = PAGE.min(need.max(1)).to_string();
        for _ in 0..MAX_PAGES {
            let mut pairs: Vec<(&str, &str)> = query.to_vec();
            pairs.push(("limit", &limit));
            if let Some(cursor) = &cursor {
                pairs.push(("cursor", cursor));
            }
            let page = self.get(path, &pairs).await?;
            if let Some(found) = page["items"].as_array() {
                items.extend(found.iter().cloned());
            }
            cursor = page["next_cursor"].as_str().map(str::to_owned);
            if items.len() >= need || cursor.is_none() {
                break;
            }
        }
        Ok(items)
    }

    /// `count` items of `path` after the first `offset`.
    pub async fn slice(
        &self,
        path: &str,
        query: &[(&str, &str)],
        offset: usize,
        count: usize,
    ) -> Result<Vec<Value>, SubsonicError> {
        if count == 0 {
            return Ok(Vec::new());
        }
        let items = self.items(path, query, offset.saturating_add(count)).await?;
        Ok(items.into_iter().skip(offset).take(count).collect())
    }
}

fn upstream_failed(error: GatewayError) -> SubsonicError {
    tracing::warn!(error = %error, "subsonic call to the catalog failed");
    SubsonicError::generic(error.to_string())
}

impl Catalog<'_> {
    /// One album in full (`albums/{id}`), for lists built from songs.
    pub async fn get_album(&self, id: &str) -> Result<Value, SubsonicError> {
        let id = uuid::Uuid::parse_str(id).map_err(|_| SubsonicError::not_found("album"))?;
        self.get(&format!("albums/{id}"), &[]).await
    }
}
