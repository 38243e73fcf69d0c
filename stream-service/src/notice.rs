//! Telling the catalog that a song's file is gone, so it re-checks it.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use anyhow::Context as _;
use common::identity::TOKEN_HEADER;
use reqwest::{
    Url,
    header::{HeaderMap, HeaderValue},
};

use crate::song_id::SongId;

/// Repeated plays of the same missing song notify the catalog once per window.
const QUIET_WINDOW: Duration = Duration::from_secs(60);

/// Fire-and-forget `POST {catalog}/api/catalog/internal/songs/{id}/source-missing`,
/// carrying the internal token like every call between services.
#[derive(Clone)]
pub struct CatalogNotifier {
    base: Url,
    client: reqwest::Client,
    recent: Arc<Mutex<HashMap<SongId, Instant>>>,
}

impl CatalogNotifier {
    /// `token` is `TONEARM_INTERNAL_TOKEN`, sent on every notice when set.
    pub fn new(base: Url, token: Option<&str>) -> anyhow::Result<Self> {
        let mut headers = HeaderMap::new();
        if let Some(token) = token {
            let mut value =
                HeaderValue::from_str(token).context("the internal token is not a header value")?;
            value.set_sensitive(true);
            headers.insert(TOKEN_HEADER, value);
        }
        let client = reqwest::Client::builder()
            .default_headers(headers)
            .timeout(Duration::from_secs(5))
            .build()?;
        Ok(Self {
            base,
            client,
            recent: Arc::default(),
        })
    }

    /// Sends the notice in the background; failures are only logged.
    pub fn source_missing(&self, id: SongId, request_id: Option<String>) {
        if !self.first_in_window(id) {
            return;
        }
        let url = match self
            .base
            .join(&format!("api/catalog/internal/songs/{id}/source-missing"))
        {
            Ok(url) => url,
            Err(error) => {
                tracing::warn!(%error, "cannot build the catalog notice URL");
                return;
            }
        };
        let mut request = self.client.post(url);
        if let Some(request_id) = request_id {
            request = request.header("x-request-id", request_id);
        }
        tokio::spawn(async move {
            match request.send().await {
                Ok(response) if response.status().is_success() => {
                    tracing::info!(song = %id, "catalog told of a missing file");
                }
                Ok(response) => {
                    tracing::warn!(song = %id, status = %response.status(), "catalog refused the missing-file notice")
                }
                Err(error) => tracing::warn!(song = %id, %error, "catalog missing-file notice failed"),
            }
        });
    }

    fn first_in_window(&self, id: SongId) -> bool {
        let Ok(mut recent) = self.recent.lock() else {
            return true;
        };
        let now = Instant::now();
        recent.retain(|_, at| now.duration_since(*at) < QUIET_WINDOW);
        if recent.contains_key(&id) {
            return false;
        }
        recent.insert(id, now);
        true
    }
}
