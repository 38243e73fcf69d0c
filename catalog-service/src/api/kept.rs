//! Answers of library lists kept until the library changes: the artist
//! index, album pages, genres and search results are the same for every
//! caller and change only with the library, so each is computed once per
//! library generation ([`LibraryChanges`]) and sent again from memory,
//! with an `ETag` that lets a caller that kept it too get a 304.
//!
//! Nothing is kept while change notices are not received, and the memory
//! used is bounded (entries of past generations go first, then any).

use std::{
    collections::HashMap,
    future::Future,
    sync::{Arc, Mutex},
};

use actix_web::{
    HttpRequest, HttpResponse,
    body::MessageBody,
    dev::{ServiceRequest, ServiceResponse},
    http::{
        Method,
        header::{self, HeaderValue},
    },
    middleware::Next,
    web,
};
use bytes::Bytes;
use serde::Serialize;

use super::{AppState, CatalogError, CatalogResult};
use crate::store::changes::LibraryChanges;

/// Most bytes of answers kept.
const MAX_BYTES: usize = 32 * 1024 * 1024;

/// The answers kept by this process.
#[derive(Debug, Clone)]
pub struct KeptAnswers {
    changes: LibraryChanges,
    /// Tells this process's ETags from another replica's.
    instance: u64,
    entries: Arc<Mutex<Entries>>,
}

#[derive(Debug, Default)]
struct Entries {
    by_target: HashMap<String, Kept>,
    bytes: usize,
}

#[derive(Debug)]
struct Kept {
    generation: u64,
    body: Bytes,
}

impl KeptAnswers {
    pub fn new(changes: LibraryChanges) -> Self {
        let mut instance = [0_u8; 8];
        // Without randomness the ETags of two replicas may match: keep none.
        let instance = match getrandom::fill(&mut instance) {
            Ok(()) => u64::from_le_bytes(instance),
            Err(_) => 0,
        };
        Self {
            changes,
            instance,
            entries: Arc::default(),
        }
    }

    /// The JSON answer of `req`: 304 when the caller holds this
    /// generation's, the kept one if any, else `compute`'s (kept).
    pub async fn json<T, F, Fut>(&self, req: &HttpRequest, compute: F) -> CatalogResult<HttpResponse>
    where
        T: Serialize,
        F: FnOnce() -> Fut,
        Fut: Future<Output = CatalogResult<T>>,
    {
        let generation = self.changes.generation().filter(|_| self.instance != 0);
        let Some(generation) = generation else {
            return Ok(HttpResponse::Ok().json(compute().await?));
        };
        let etag = format!("\"{:016x}-{generation}\"", self.instance);
        if holds(req, &etag) {
            return Ok(answer(HttpResponse::NotModified(), &etag, None));
        }
        let target = req.uri().to_string();
        if let Some(body) = self.kept(&target, generation) {
            return Ok(answer(HttpResponse::Ok(), &etag, Some(body)));
        }
        let body = Bytes::from(serde_json::to_vec(&compute().await?).map_err(CatalogError::Encode)?);
        self.keep(target, generation, body.clone());
        Ok(answer(HttpResponse::Ok(), &etag, Some(body)))
    }

    /// Marks the library changed here and now (this replica's own writes,
    /// whose notices arrive a moment later).
    pub fn changed(&self) {
        self.changes.changed();
    }

    fn kept(&self, target: &str, generation: u64) -> Option<Bytes> {
        let entries = self.entries.lock().ok()?;
        entries
            .by_target
            .get(target)
            .filter(|kept| kept.generation == generation)
            .map(|kept| kept.body.clone())
    }

    fn keep(&self, target: String, generation: u64, body: Bytes) {
        // An answer computed while the library changed belongs to no one
        // generation: not kept.
        if self.changes.generation() != Some(generation) || body.len() > MAX_BYTES / 4 {
            return;
        }
        let Ok(mut entries) = self.entries.lock() else {
            return;
        };
        entries.make_room(body.len(), generation);
        entries.bytes += body.len();
        if let Some(old) = entries.by_target.insert(target, Kept { generation, body }) {
            entries.bytes -= old.body.len();
        }
    }
}

impl Entries {
    /// Drops entries of past generations, then any, until `more` bytes fit.
    fn make_room(&mut self, more: usize, generation: u64) {
        if self.bytes + more <= MAX_BYTES {
            return;
        }
        self.by_target.retain(|_, kept| kept.generation == generation);
        while self.bytes_held() + more > MAX_BYTES {
            let Some(target) = self.by_target.keys().next().cloned() else {
                break;
            };
            self.by_target.remove(&target);
        }
        self.bytes = self.bytes_held();
    }

    fn bytes_held(&self) -> usize {
        self.by_target.values().map(|kept| kept.body.len()).sum()
    }
}

/// Middleware of routes that change the library: once such a request is
/// answered, lists kept from before it are not served again.
pub async fn writes_change_the_library(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let write = !matches!(*req.method(), Method::GET | Method::HEAD);
    let kept = req
        .app_data::<web::Data<AppState>>()
        .map(|state| state.kept.clone());
    let response = next.call(req).await?;
    if let (true, Some(kept)) = (write, kept) {
        kept.changed();
    }
    Ok(response)
}

/// Whether the request's `If-None-Match` names `etag`.
fn holds(req: &HttpRequest, etag: &str) -> bool {
    req.headers()
        .get_all(header::IF_NONE_MATCH)
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .any(|tag| tag.trim().trim_start_matches("W/") == etag)
}

fn answer(mut builder: actix_web::HttpResponseBuilder, etag: &str, body: Option<Bytes>) -> HttpResponse {
    if let Ok(value) = HeaderValue::from_str(etag) {
        builder.insert_header((header::ETAG, value));
    }
    // Callers may keep it, but must ask again each time (the library moves).
    builder.insert_header((header::CACHE_CONTROL, "no-cache"));
    match body {
        Some(body) => builder.content_type("application/json").body(body),
        None => builder.finish(),
    }
}

#[cfg(test)]
mod tests {
    use actix_web::test::TestRequest;

    use super::*;

    async fn listed(kept: &KeptAnswers, req: &HttpRequest, calls: &std::cell::Cell<u32>) -> HttpResponse {
        kept.json(req, || async {
            calls.set(calls.get() + 1);
            Ok(vec!["Abba", "Björk"])
        })
        .await
        .expect("answer")
    }

    #[actix_web::test]
    async fn an_answer_is_computed_once_per_library_generation() {
        let changes = LibraryChanges::default();
        let kept = KeptAnswers::new(changes.clone());
        let req = TestRequest::get()
            .uri("/api/catalog/artists/index")
            .to_http_request();
        let calls = std::cell::Cell::new(0);
        // Not listening to changes yet: nothing is kept.
        listed(&kept, &req, &calls).await;
        listed(&kept, &req, &calls).await;
        assert_eq!(calls.get(), 2);
        changes.start_listening_for_tests();
        let first = listed(&kept, &req, &calls).await;
        listed(&kept, &req, &calls).await;
        assert_eq!(calls.get(), 3, "kept while the library is unchanged");
        let etag = first.headers().get(header::ETAG).expect("etag").clone();
        let again = TestRequest::get()
            .uri("/api/catalog/artists/index")
            .insert_header((header::IF_NONE_MATCH, etag.clone()))
            .to_http_request();
        assert_eq!(listed(&kept, &again, &calls).await.status(), 304);
        changes.changed();
        assert_eq!(
            listed(&kept, &again, &calls).await.status(),
            200,
            "the library changed"
        );
        assert_eq!(calls.get(), 4);
    }
}
