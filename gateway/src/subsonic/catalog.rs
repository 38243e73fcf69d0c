//! The catalog's public API as the Subsonic adapter uses it: JSON reads
//! and writes through the gateway's upstream client (balancing, failover
//! of reads, the internal token and the caller's identity), and pages
//! walked by cursor. No catalog query is repeated here.

use std::sync::Arc;

use actix_web::HttpRequest;
use reqwest::header::HeaderValue;
use serde_json::Value;

use super::{
    auth::User,
    envelope::{Code, SubsonicError},
};
use crate::{
    error::GatewayError,
    proxy::{
        balancer::Service,
        forward,
        upstream::{self, UpstreamResponse},
    },
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
        let path_and_query = target(path, query)?;
        let response = self.read(&path_and_query, self.headers()).await?;
        json_body(response).await
    }

    /// As [`Catalog::get`] for a list the catalog keeps per library
    /// generation: the gateway's copy when the catalog says it is current;
    /// with the list's `ETag` when it has one.
    pub async fn get_kept(&self, path: &str) -> Result<(Option<HeaderValue>, Arc<Value>), SubsonicError> {
        let path_and_query = target(path, &[])?;
        let kept = self.gateway.kept_lists.get(&path_and_query);
        let mut headers = self.headers();
        if let Some((etag, _)) = &kept {
            headers.insert(reqwest::header::IF_NONE_MATCH, etag.clone());
        }
        let response = self.read(&path_and_query, headers).await?;
        if response.status().as_u16() == 304
            && let Some((etag, value)) = kept
        {
            return Ok((Some(etag), value));
        }
        let etag = response.headers().get(reqwest::header::ETAG).cloned();
        let value = Arc::new(json_body(response).await?);
        if let Some(etag) = &etag {
            self.gateway
                .kept_lists
                .keep(&path_and_query, etag.clone(), Arc::clone(&value));
        }
        Ok((etag, value))
    }

    async fn read(
        &self,
        path_and_query: &str,
        headers: reqwest::header::HeaderMap,
    ) -> Result<UpstreamResponse, SubsonicError> {
        let timeout = Some(self.gateway.settings.request_timeout);
        forward::send_without_body(
            self.gateway,
            Service::Catalog,
            path_and_query,
            reqwest::Method::GET,
            headers,
            timeout,
        )
        .await
        .map_err(upstream_failed)
    }

    /// The identity headers of this caller, asking for JSON.
    fn headers(&self) -> reqwest::header::HeaderMap {
        json_headers(self.gateway, self.req, self.user)
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

    /// `count` items of `path` after the first `offset`, asked for by
    /// offset (one call per 500 items).
    pub async fn slice(
        &self,
        path: &str,
        query: &[(&str, &str)],
        offset: usize,
        count: usize,
    ) -> Result<Vec<Value>, SubsonicError> {
        let mut items = Vec::new();
        while items.len() < count {
            let want = (count - items.len()).min(PAGE);
            let (limit, at) = (want.to_string(), (offset + items.len()).to_string());
            let mut pairs: Vec<(&str, &str)> = query.to_vec();
            pairs.extend([("limit", limit.as_str()), ("offset", at.as_str())]);
            let page = self.get(path, &pairs).await?;
            let found = page["items"].as_array().map(Vec::as_slice).unwrap_or_default();
            items.extend(found.iter().cloned());
            if found.len() < want {
                break;
            }
        }
        Ok(items)
    }
}

/// The identity headers of `user` for a JSON call made on their behalf:
/// the client's request may have been a form POST, so its own body and
/// conditional headers are not this request's.
pub fn json_headers(gateway: &Gateway, req: &HttpRequest, user: &User) -> reqwest::header::HeaderMap {
    let mut headers = forward::upstream_headers(req, gateway, &user.caller());
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
    headers
}

/// The JSON of a 200 answer; 400 and 404 are error 70.
async fn json_body(response: UpstreamResponse) -> Result<Value, SubsonicError> {
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

/// `/api/catalog/<path>?<query>`, or error 70 when `path` does not make a URL.
fn target(path: &str, query: &[(&str, &str)]) -> Result<String, SubsonicError> {
    let mut url = reqwest::Url::parse("http://catalog/api/catalog/")
        .and_then(|base| base.join(path))
        .map_err(|_| SubsonicError::not_found("item"))?;
    if !query.is_empty() {
        url.query_pairs_mut().extend_pairs(query);
    }
    Ok(match url.query() {
        Some(q) => format!("{}?{q}", url.path()),
        None => url.path().to_owned(),
    })
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

impl Catalog<'_> {
    /// A write (`PUT`, `POST`, `PATCH`, `DELETE`) of `/api/catalog/<path>`
    /// with an optional JSON body; the answer's JSON, `None` for 204.
    /// The catalog's refusals become Subsonic codes: an unknown or
    /// malformed id 70, someone else's playlist 50, other bad input 0 with
    /// the catalog's message (it names what was wrong).
    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Option<Value>, SubsonicError> {
        let path_and_query = target(path, &[])?;
        let mut headers = self.headers();
        let bytes = match body {
            Some(body) => {
                headers.insert(
                    reqwest::header::CONTENT_TYPE,
                    reqwest::header::HeaderValue::from_static("application/json"),
                );
                serde_json::to_vec(body)
                    .map_err(|error| upstream_failed(GatewayError::Unexpected(error.into())))?
            }
            None => Vec::new(),
        };
        let timeout = Some(self.gateway.settings.request_timeout);
        let response = forward::send_with_body(
            self.gateway,
            Service::Catalog,
            &path_and_query,
            method,
            headers,
            bytes,
            timeout,
        )
        .await
        .map_err(upstream_failed)?;
        let status = response.status().as_u16();
        if status == 204 {
            return Ok(None);
        }
        let body = upstream::collect(response, MAX_ANSWER)
            .await
            .map_err(|error| upstream_failed(GatewayError::Unexpected(error)))?;
        let answer: Value = serde_json::from_slice(&body)
            .map_err(|error| upstream_failed(GatewayError::Unexpected(error.into())))?;
        match status {
            200 | 201 => Ok(Some(answer)),
            _ => Err(refusal(status, &answer)),
        }
    }
}

/// A catalog error body as a Subsonic error.
fn refusal(status: u16, answer: &Value) -> SubsonicError {
    let code = answer["error"]["code"].as_str().unwrap_or_default();
    let message = answer["error"]["message"]
        .as_str()
        .unwrap_or("the catalog refused")
        .to_owned();
    match (status, code) {
        (404, _) | (400, "invalid_id" | "unknown_song") => SubsonicError::new(Code::NotFound, message),
        (403, _) => SubsonicError::new(Code::NotAuthorized, message),
        (400, _) => SubsonicError::generic(message),
        _ => {
            tracing::warn!(status, code, "the catalog refused a subsonic write");
            SubsonicError::generic("the catalog could not answer")
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn body(code: &str) -> Value {
        json!({ "error": { "code": code, "message": "what was wrong" } })
    }

    #[test]
    fn catalog_refusals_become_the_subsonic_codes_apps_know() {
        let cases = [
            (404, "not_found", Code::NotFound),
            (400, "unknown_song", Code::NotFound),
            (400, "invalid_id", Code::NotFound),
            (403, "not_owner", Code::NotAuthorized),
            (400, "invalid_field", Code::Generic),
            (500, "internal", Code::Generic),
        ];
        for (status, code, expected) in cases {
            assert_eq!(refusal(status, &body(code)).code, expected, "{status} {code}");
        }
        // Bad input keeps the catalog's message, which names the field;
        // a server failure does not leak its.
        assert_eq!(refusal(400, &body("invalid_field")).message, "what was wrong");
        assert_ne!(refusal(500, &body("internal")).message, "what was wrong");
    }
}
