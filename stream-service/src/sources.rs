//! Resolving a song id to where its bytes live, through the read-only
//! `song_sources` view the catalog publishes (see docs/streaming.md).

use std::{
    collections::HashMap,
    path::{Path, PathBuf},
    sync::{Arc, Mutex},
    time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};

use anyhow::{Context as _, bail};
use reqwest::Url;
use sqlx::PgPool;

use crate::song_id::SongId;

/// Where a song's bytes are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// A file on this machine (checked against the music folders when opened).
    Local(PathBuf),
    /// An HTTP origin (fetched through the SSRF-safe fetcher).
    Remote(Url),
}

/// One song's source as the catalog last saw it.
#[derive(Debug, Clone)]
pub struct Source {
    pub id: SongId,
    pub location: Location,
    /// For `Content-Disposition` on downloads.
    pub file_name: String,
    pub content_type: Option<String>,
    pub size: Option<u64>,
    pub modified: Option<SystemTime>,
    pub duration_ms: Option<u64>,
}

impl Source {
    /// The path part of the location (a file's path, a URL's path), for
    /// the extension when the catalog gave no content type.
    pub fn location_path(&self) -> &Path {
        match &self.location {
            Location::Local(path) => path,
            Location::Remote(url) => Path::new(url.path()),
        }
    }
}

#[derive(sqlx::FromRow)]
struct Row {
    kind: String,
    path: Option<String>,
    url: Option<String>,
    file_name: String,
    content_type: Option<String>,
    size_bytes: Option<i64>,
    modified_ms: Option<i64>,
    duration_ms: Option<i64>,
}

/// How long a resolved source is reused: a player seeking sends a burst of
/// range requests for one song, which then cost one query. Short enough
/// that a rescan's changes show within seconds; the file itself is opened
/// and checked on every request.
pub const CACHE_TTL: Duration = Duration::from_secs(5);
const CACHE_MAX_ENTRIES: usize = 4096;

/// Reads `song_sources` in the schema first on the pool's search path.
#[derive(Clone)]
pub struct SourceRepository {
    pool: PgPool,
    cache: Arc<SourceCache>,
}

impl SourceRepository {
    pub fn new(pool: PgPool) -> Self {
        Self {
            pool,
            cache: Arc::new(SourceCache::new(CACHE_TTL)),
        }
    }

    /// The song's source, or `None` when the catalog does not know the id
    /// (unknown ids are not cached, so a new song plays at once). Shared,
    /// not copied, out of the cache.
    pub async fn find(&self, id: SongId) -> anyhow::Result<Option<Arc<Source>>> {
        if let Some(source) = self.cache.get(id) {
            return Ok(Some(source));
        }
        let source = self.query(id).await?.map(Arc::new);
        if let Some(source) = &source {
            self.cache.put(Arc::clone(source));
        }
        Ok(source)
    }

    /// A row that breaks the contract (unknown kind, missing path) is an error.
    async fn query(&self, id: SongId) -> anyhow::Result<Option<Source>> {
        let row: Option<Row> = sqlx::query_as(
            "SELECT kind, path, url, file_name, content_type, size_bytes, \
             (extract(epoch FROM modified_at) * 1000)::bigint AS modified_ms, duration_ms \
             FROM song_sources WHERE song_id = $1",
        )
        .bind(id.as_uuid())
        .fetch_optional(&self.pool)
        .await
        .context("reading song_sources")?;
        row.map(|row| source(id, row)).transpose()
    }
}

fn source(id: SongId, row: Row) -> anyhow::Result<Source> {
    let location = match (row.kind.as_str(), row.path, row.url) {
        ("local", Some(path), _) => Location::Local(PathBuf::from(path)),
        ("remote", _, Some(url)) => {
            // The URL is not quoted: it may hold a private feed's token.
            Location::Remote(Url::parse(&url).with_context(|| format!("song {id}: its url is not valid"))?)
        }
        (kind, _, _) => bail!("song {id}: song_sources row of kind {kind:?} lacks its path or url"),
    };
    Ok(Source {
        id,
        location,
        file_name: row.file_name,
        content_type: row.content_type.filter(|value| !value.is_empty()),
        size: row.size_bytes.and_then(|size| u64::try_from(size).ok()),
        modified: row
            .modified_ms
            .and_then(|ms| u64::try_from(ms).ok())
            .map(|ms| UNIX_EPOCH + Duration::from_millis(ms)),
        duration_ms: row.duration_ms.and_then(|ms| u64::try_from(ms).ok()),
    })
}

/// A small time-bounded map of resolved sources.
struct SourceCache {
    ttl: Duration,
    entries: Mutex<HashMap<SongId, (Instant, Arc<Source>)>>,
}

impl SourceCache {
    fn new(ttl: Duration) -> Self {
        Self {
            ttl,
            entries: Mutex::default(),
        }
    }

    fn get(&self, id: SongId) -> Option<Arc<Source>> {
        let entries = self.entries.lock().ok()?;
        let (at, source) = entries.get(&id)?;
        (at.elapsed() < self.ttl).then(|| Arc::clone(source))
    }

    fn put(&self, source: Arc<Source>) {
        let Ok(mut entries) = self.entries.lock() else {
            return;
        };
        if entries.len() >= CACHE_MAX_ENTRIES {
            entries.retain(|_, (at, _)| at.elapsed() < self.ttl);
            if entries.len() >= CACHE_MAX_ENTRIES {
                entries.clear();
            }
        }
        entries.insert(source.id, (Instant::now(), source));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(id: SongId) -> Source {
        Source {
            id,
            location: Location::Local(PathBuf::from("/music/a.mp3")),
            file_name: "a.mp3".into(),
            content_type: None,
            size: None,
            modified: None,
            duration_ms: None,
        }
    }

    #[test]
    fn cached_sources_expire() {
        let id: SongId = "0b7c1f6e-2d4a-4f7e-9a3b-5c6d7e8f9a0b".parse().expect("id");
        let cache = SourceCache::new(Duration::from_millis(30));
        cache.put(Arc::new(source(id)));
        assert!(cache.get(id).is_some());
        std::thread::sleep(Duration::from_millis(40));
        assert!(cache.get(id).is_none());
    }
}
