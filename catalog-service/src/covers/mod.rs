//! Cover art: embedded pictures, folder images or an Internet image,
//! resized once per size step and kept on disk.
//!
//! Every file read is confined to the music folders (on the opened file);
//! decoding is bounded ([`decode`]), at most `TONEARM_COVER_DECODES` run at
//! once and one per (cover, size) is in flight: concurrent requests for it
//! wait for that one and read its result from the cache ([`disk`]).

pub mod decode;
pub mod disk;
mod original;
pub mod size;

use std::{
    collections::HashMap,
    hash::{Hash, Hasher},
    path::{Path, PathBuf},
    sync::{Arc, Mutex},
};

use bytes::Bytes;
use common::{confine::Roots, fetch::Fetcher};
use prometheus::{IntCounter, Registry};
use tokio::sync::Semaphore;

use crate::domain::Song;
pub use decode::DecodeError;
use disk::DiskCache;
pub use size::CoverSize;

/// Image bytes with their content type and a validator.
#[derive(Debug, Clone)]
pub struct Cover {
    pub bytes: Bytes,
    /// Always an image type.
    pub content_type: &'static str,
    pub etag: String,
}

/// Why a cover cannot be served.
#[derive(Debug, thiserror::Error)]
pub enum CoverError {
    /// The image is there but cannot be given out (too large to decode,
    /// not an image); the message says which.
    #[error(transparent)]
    Unusable(#[from] DecodeError),
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

/// Where and how much the cover cache keeps, and how many decodes run at once.
#[derive(Debug, Clone)]
pub struct CoverSettings {
    pub cache_dir: PathBuf,
    pub cache_max_bytes: u64,
    pub max_decodes: usize,
}

/// Resizes and caches covers; cheap to clone.
#[derive(Clone)]
pub struct CoverCache {
    inner: Arc<Inner>,
}

struct Inner {
    /// `None` when the folder could not be prepared: covers are then
    /// resized on every request (still bounded).
    disk: Option<DiskCache>,
    fetcher: Fetcher,
    roots: Roots,
    decodes: Arc<Semaphore>,
    in_flight: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
    decoded: IntCounter,
}

impl CoverCache {
    /// `roots` are the music folders covers may be read from, `data_dir`
    /// the catalog's own folder (made private when the cache lies in it);
    /// the decode counter is registered on `registry`. Blocking (prepares
    /// the folders).
    pub fn new(
        settings: &CoverSettings,
        data_dir: &Path,
        fetcher: Fetcher,
        roots: Roots,
        registry: &Registry,
    ) -> anyhow::Result<Self> {
        let decoded = IntCounter::new("cover_decodes_total", "Covers decoded and resized")?;
        registry.register(Box::new(decoded.clone()))?;
        let disk = open_disk(settings, data_dir)
            .inspect_err(|error| {
                tracing::warn!(
                    error = format!("{error:#}"),
                    "the cover cache is off: covers are resized on every request"
                );
            })
            .ok();
        Ok(Self {
            inner: Arc::new(Inner {
                disk,
                fetcher,
                roots,
                decodes: Arc::new(Semaphore::new(settings.max_decodes.max(1))),
                in_flight: Mutex::new(HashMap::new()),
                decoded,
            }),
        })
    }

    /// The cover of `song` at `size` (original when `None`), or `None` when
    /// the song has no cover.
    pub async fn cover(&self, song: &Song, size: Option<CoverSize>) -> Result<Option<Cover>, CoverError> {
        let key = format!("{:016x}", hash(&(identity(song), size.map(CoverSize::pixels))));
        let etag = format!("\"{key}\"");
        let bytes = match size {
            None => self.original(song).await?,
            Some(size) => self.resized(song, size, &key).await?,
        };
        let Some(bytes) = bytes else { return Ok(None) };
        let content_type = decode::image_type(&bytes).ok_or(DecodeError::Undecodable)?;
        Ok(Some(Cover {
            bytes,
            content_type,
            etag,
        }))
    }

    /// From the cache, else made once while concurrent requests for the
    /// same `key` wait and then read it from the cache. The making runs as
    /// a task of its own holding the flight's turn, so a client that goes
    /// away neither wastes the decode nor lets a second one start.
    async fn resized(&self, song: &Song, size: CoverSize, key: &str) -> Result<Option<Bytes>, CoverError> {
        if let Some(bytes) = self.cached(key).await {
            return Ok(Some(bytes));
        }
        let flight = Flight::join(self, key);
        let turn = Arc::clone(&flight.lock).lock_owned().await;
        let (cache, song, key) = (self.clone(), song.clone(), key.to_owned());
        let task = tokio::spawn(async move {
            let _turn = turn;
            match cache.cached(&key).await {
                Some(bytes) => Ok(Some(bytes)),
                None => cache.make(&song, size, &key).await,
            }
        });
        task.await.map_err(|error| anyhow::anyhow!(error))?
    }

    async fn make(&self, song: &Song, size: CoverSize, key: &str) -> Result<Option<Bytes>, CoverError> {
        let Some(original) = self.original(song).await? else {
            return Ok(None);
        };
        // The permit goes with the blocking decode: it is given back when
        // the decode ends, whatever happens to the request.
        let permit = Arc::clone(&self.inner.decodes)
            .acquire_owned()
            .await
            .map_err(|error| anyhow::anyhow!(error))?;
        self.inner.decoded.inc();
        let resized = tokio::task::spawn_blocking(move || {
            let _permit = permit;
            decode::resize(&original, size.pixels())
        })
        .await
        .map_err(|error| anyhow::anyhow!(error))??;
        if let Some(disk) = self.inner.disk.clone() {
            let (key, bytes) = (key.to_owned(), resized.clone());
            let stored = tokio::task::spawn_blocking(move || disk.put(&key, &bytes)).await;
            if let Ok(Err(error)) = stored {
                tracing::warn!(error = format!("{error:#}"), "caching a cover failed");
            }
        }
        Ok(Some(resized.into()))
    }

    async fn cached(&self, key: &str) -> Option<Bytes> {
        let disk = self.inner.disk.clone()?;
        let key = key.to_owned();
        tokio::task::spawn_blocking(move || disk.get(&key))
            .await
            .ok()
            .flatten()
            .map(Bytes::from)
    }

    fn in_flight(&self) -> std::sync::MutexGuard<'_, HashMap<String, Arc<tokio::sync::Mutex<()>>>> {
        self.inner
            .in_flight
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// One request's part in the making of a (cover, size): the lock all
/// requests for it share, removed from the map by the last one to leave
/// (also when a request is cancelled).
struct Flight<'a> {
    cache: &'a CoverCache,
    key: String,
    lock: Arc<tokio::sync::Mutex<()>>,
}

impl<'a> Flight<'a> {
    fn join(cache: &'a CoverCache, key: &str) -> Self {
        let lock = Arc::clone(cache.in_flight().entry(key.to_owned()).or_default());
        Self {
            cache,
            key: key.to_owned(),
            lock,
        }
    }
}

impl Drop for Flight<'_> {
    fn drop(&mut self) {
        let mut flights = self.cache.in_flight();
        // Ours and the map's only: nobody waits and no making task holds
        // the turn. An entry left by a cancelled request whose task was
        // still running is removed by the next request for the same key.
        if Arc::strong_count(&self.lock) == 2 {
            flights.remove(&self.key);
        }
    }
}

/// The disk cache; the data folder is made private (0700, not a link)
/// first when the cache lies in it, and left alone otherwise.
fn open_disk(settings: &CoverSettings, data_dir: &Path) -> anyhow::Result<DiskCache> {
    if settings.cache_dir.starts_with(data_dir) {
        disk::private_dir(data_dir)?;
    }
    DiskCache::open(&settings.cache_dir, settings.cache_max_bytes)
}

/// What the cover depends on: a change of file or image URL changes it.
fn identity(song: &Song) -> String {
    format!(
        "{}|{:?}|{:?}|{:?}|{:?}|{}",
        song.id, song.modified_at, song.size_bytes, song.folder_cover, song.image_url, song.embedded_cover
    )
}

fn hash(value: &impl Hash) -> u64 {
    // SipHash with fixed keys: stable across restarts, so ETags stay valid.
    let mut hasher = std::hash::DefaultHasher::new();
    value.hash(&mut hasher);
    hasher.finish()
}
