//! Telling the catalog that a song's file is gone, so it re-checks it.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use reqwest::Url;

use crate::song_id::SongId;

/// Repeated plays of the same missing song notify the catalog once per window.
const QUIET_WINDOW: Duration = Duration::from_secs(60);

/// Fire-and-forget `POST {catalog}/api/catalog/internal/songs/{id}/source-missing`.
#[derive(Clone)]
pub struct CatalogNotifier {
    base: Url,
    client: reqwest::Client,
    recent: Arc<Mutex<HashMap<SongId, Instant>>>,
}

impl CatalogNotifier {
    pub fn new(base: Url) -> anyhow::Result<Self> {
        let client = reqwest::Client::builder()
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
