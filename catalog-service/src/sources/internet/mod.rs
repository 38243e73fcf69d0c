//! Internet sources: songs by URL. An admin adds a direct audio URL,
//! an M3U/PLS playlist or a podcast feed; feeds and playlists are refreshed
//! on a schedule with conditional requests. Every fetch goes through the
//! SSRF-safe [`Fetcher`].

pub mod error;
pub mod feed;
pub mod playlist;
pub mod probe;
pub mod songs;

use std::time::Duration;

use common::fetch::Fetcher;
use futures_util::future::BoxFuture;
use sqlx::PgPool;
use url::Url;
use uuid::Uuid;

use super::Source;
use crate::{
    domain::source::{InternetSource, Validators},
    store::sources as store,
};
use error::SourceError;

/// The advisory lock a scheduled refresh of the sources holds.
pub const REFRESH_LOCK: &str = "catalog:source-refresh";

/// Internet sources an admin added.
#[derive(Clone)]
pub struct InternetSources {
    pool: PgPool,
    fetcher: Fetcher,
    /// How often feeds and playlists are fetched again.
    refresh_every: Duration,
}

impl InternetSources {
    pub fn new(pool: PgPool, fetcher: Fetcher, refresh_every: Duration) -> Self {
        Self {
            pool,
            fetcher,
            refresh_every,
        }
    }

    /// Fetches `raw_url`, imports its songs and keeps it as a source.
    pub async fn add(&self, raw_url: &str) -> Result<InternetSource, SourceError> {
        let url = parse_url(raw_url)?;
        self.fetcher.check_url(&url)?;
        let id = crate::domain::ids::source_id(url.as_str());
        if store::get(&self.pool, id).await?.is_some() {
            return Err(SourceError::Exists(id));
        }
        let (fetched, validators) = probe::fetch(&self.fetcher, &url, &Validators::default()).await?;
        let Some(imported) = songs::import(fetched, &url, id)? else {
            return Err(SourceError::Unreachable(format!(
                "{url} answered 304 to a first request"
            )));
        };
        let inserted = store::insert(
            &self.pool,
            id,
            url.as_str(),
            imported.kind,
            imported.title.as_deref(),
            imported.image_url.as_deref(),
        )
        .await?;
        if !inserted {
            return Err(SourceError::Exists(id));
        }
        crate::store::write::upsert_songs(&self.pool, &imported.songs).await?;
        store::refreshed(&self.pool, id, &validators, imported.title.as_deref()).await?;
        self.get(id).await
    }

    pub async fn get(&self, id: Uuid) -> Result<InternetSource, SourceError> {
        store::get(&self.pool, id).await?.ok_or(SourceError::NotFound(id))
    }

    pub async fn list(&self) -> Result<Vec<InternetSource>, SourceError> {
        Ok(store::list(&self.pool).await?)
    }

    /// Deletes a source and its songs.
    pub async fn delete(&self, id: Uuid) -> Result<(), SourceError> {
        if !store::delete(&self.pool, id).await? {
            return Err(SourceError::NotFound(id));
        }
        crate::store::write::prune(&self.pool).await?;
        Ok(())
    }

    /// Fetches a source again. A failure is recorded on the source and
    /// keeps every song already imported; only database trouble is an error.
    pub async fn refresh(&self, id: Uuid) -> Result<InternetSource, SourceError> {
        let source = self.get(id).await?;
        let url = parse_url(&source.url)?;
        match self.fetch_and_import(&source, &url).await {
            Ok(()) => {}
            Err(SourceError::Unexpected(error)) => return Err(SourceError::Unexpected(error)),
            Err(error) => {
                tracing::warn!(
                    source = %id,
                    error = crate::redact::urls_in(&error.to_string()),
                    "source refresh failed"
                );
                store::failed(&self.pool, id, &error.to_string()).await?;
            }
        }
        self.get(id).await
    }

    async fn fetch_and_import(&self, source: &InternetSource, url: &Url) -> Result<(), SourceError> {
        let (fetched, validators) = probe::fetch(&self.fetcher, url, &source.validators).await?;
        let Some(imported) = songs::import(fetched, url, source.id)? else {
            store::refreshed(&self.pool, source.id, &validators, None).await?;
            return Ok(());
        };
        crate::store::write::upsert_songs(&self.pool, &imported.songs).await?;
        if imported.replace {
            let keep: Vec<Uuid> = imported.songs.iter().map(|song| song.id).collect();
            store::remove_songs_except(&self.pool, source.id, &keep).await?;
            crate::store::write::prune(&self.pool).await?;
        }
        store::refreshed(&self.pool, source.id, &validators, imported.title.as_deref()).await?;
        Ok(())
    }

    /// Refreshes feeds and playlists not refreshed for `every`.
    pub async fn refresh_due(&self, every: Duration) -> Result<usize, SourceError> {
        let before =
            chrono::Utc::now() - chrono::Duration::from_std(every).unwrap_or(chrono::Duration::hours(1));
        let due = store::due(&self.pool, before).await?;
        for source in &due {
            self.refresh(source.id).await?;
        }
        Ok(due.len())
    }

    /// Runs [`InternetSources::refresh_due`] forever (until the runtime stops), on
    /// one replica at a time: a round runs only while holding the advisory
    /// lock [`REFRESH_LOCK`]; the replica that misses it skips the round,
    /// and finds nothing due at its next one.
    pub fn schedule(&self, every: Duration) {
        let sources = self.clone();
        let tick = every.min(Duration::from_secs(30));
        tokio::spawn(async move {
            let mut interval = tokio::time::interval(tick);
            interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                interval.tick().await;
                let lock = match common::pg_lock::try_lock(&sources.pool, REFRESH_LOCK).await {
                    Ok(Some(lock)) => lock,
                    Ok(None) => continue,
                    Err(error) => {
                        tracing::warn!(%error, "scheduled source refresh skipped");
                        continue;
                    }
                };
                if let Err(error) = sources.refresh_due(every).await {
                    tracing::warn!(
                        error = crate::redact::urls_in(&error.to_string()),
                        "scheduled source refresh failed"
                    );
                }
                lock.release().await;
            }
        });
    }
}

/// A source URL: absolute http(s).
fn parse_url(raw: &str) -> Result<Url, SourceError> {
    let url = Url::parse(raw.trim())
        .map_err(|error| SourceError::InvalidUrl(format!("{raw:?} is not an absolute URL: {error}")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(SourceError::InvalidUrl(format!(
            "only http and https sources are supported, not {}",
            url.scheme()
        )));
    }
    Ok(url)
}

impl Source for InternetSources {
    fn name(&self) -> &'static str {
        "internet"
    }

    /// Refreshes every feed and playlist now.
    fn import(&self) -> BoxFuture<'_, anyhow::Result<()>> {
        Box::pin(async move {
            self.refresh_due(Duration::ZERO)
                .await
                .map_err(|error| anyhow::anyhow!("{error}"))?;
            Ok(())
        })
    }

    /// Refreshes feeds and playlists on their schedule.
    fn schedule(&self) -> BoxFuture<'_, anyhow::Result<()>> {
        Box::pin(async move {
            self.schedule(self.refresh_every);
            Ok(())
        })
    }
}
