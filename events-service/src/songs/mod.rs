//! Plays count only for songs the catalog knows: before a socket's event
//! names a song, the song id is looked up with `GET
//! /api/catalog/songs/{id}` on catalog-service (with the internal token, as
//! an anonymous caller). Answers are cached in memory (known songs for
//! `TONEARM_EVENTS_SONG_KNOWN_TTL_SECS`, unknown ones for
//! `TONEARM_EVENTS_SONG_UNKNOWN_TTL_SECS`), so a song being played is asked
//! about once per few minutes, not once per event.
//!
//! When the catalog cannot answer (down, slow, misconfigured), events are
//! accepted unchecked rather than lost, and the catalog is left alone for a
//! few seconds; the per-song Redis keys have a time bound anyway (see
//! docs/redis-keys.md).

mod cache;

use std::{
    sync::{
        Mutex, PoisonError,
        atomic::{AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use anyhow::Context as _;
use common::identity::TOKEN_HEADER;
use prometheus::{IntCounterVec, Opts};
use reqwest::{StatusCode, Url};
use tokio::sync::Semaphore;

use self::cache::AnswerCache;
use crate::settings::SongCheckSettings;

/// Lookups in flight at once, whatever the number of sockets.
const CONCURRENT_LOOKUPS: usize = 32;

/// After the catalog failed to answer, events are accepted unchecked for
/// this long without asking it again.
const QUIET_AFTER_FAILURE: Duration = Duration::from_secs(5);

/// What the catalog says of a song id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Known {
    Yes,
    No,
    /// The catalog could not answer; the event is accepted.
    Unverified,
}

/// The check, shared by every socket of the instance.
pub struct SongCheck {
    client: reqwest::Client,
    catalogs: Vec<Url>,
    token: Option<String>,
    settings: SongCheckSettings,
    cache: Mutex<AnswerCache>,
    lookups: Semaphore,
    next: AtomicUsize,
    quiet_until: Mutex<Option<Instant>>,
    results: IntCounterVec,
}

impl SongCheck {
    /// A check asking `catalogs` (tried in turn), registering its counter
    /// `tonearm_events_song_checks_total{result}`.
    pub fn new(
        catalogs: Vec<Url>,
        token: Option<String>,
        settings: SongCheckSettings,
        registry: &prometheus::Registry,
    ) -> anyhow::Result<Self> {
        let client = reqwest::Client::builder()
            .connect_timeout(settings.timeout)
            .timeout(settings.timeout)
            .redirect(reqwest::redirect::Policy::none())
            // The token must only ever reach the catalog itself.
            .no_proxy()
            .build()
            .context("building the catalog client")?;
        let results = IntCounterVec::new(
            Opts::new(
                "events_song_checks_total",
                "Song ids of events checked against the catalog, by result",
            ),
            &["result"],
        )?;
        registry.register(Box::new(results.clone()))?;
        Ok(Self {
            client,
            catalogs,
            token,
            cache: Mutex::new(AnswerCache::new(settings.cache_size)),
            settings,
            lookups: Semaphore::new(CONCURRENT_LOOKUPS),
            next: AtomicUsize::new(0),
            quiet_until: Mutex::new(None),
            results,
        })
    }

    /// Whether the catalog knows `song` (a well-formed song id).
    pub async fn check(&self, song: &str) -> Known {
        let now = Instant::now();
        let cached = self
            .cache
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(song, now);
        if let Some(known) = cached {
            self.count(if known { "cached_known" } else { "cached_unknown" });
            return if known { Known::Yes } else { Known::No };
        }
        let quiet = *self.quiet_until.lock().unwrap_or_else(PoisonError::into_inner);
        if quiet.is_some_and(|until| now < until) {
            self.count("unverified");
            return Known::Unverified;
        }
        let answer = tokio::time::timeout(self.settings.timeout, self.ask(song))
            .await
            .unwrap_or_else(|_| Err("no answer in time".into()));
        match answer {
            Ok(known) => {
                let ttl = if known {
                    self.settings.known_ttl
                } else {
                    self.settings.unknown_ttl
                };
                self.cache.lock().unwrap_or_else(PoisonError::into_inner).insert(
                    song,
                    known,
                    Instant::now() + ttl,
                );
                self.count(if known { "known" } else { "unknown" });
                if known { Known::Yes } else { Known::No }
            }
            Err(reason) => {
                tracing::warn!(%reason, "the catalog could not check a song id; accepting events unchecked for a few seconds");
                *self.quiet_until.lock().unwrap_or_else(PoisonError::into_inner) =
                    Some(Instant::now() + QUIET_AFTER_FAILURE);
                self.count("unverified");
                Known::Unverified
            }
        }
    }

    fn count(&self, result: &str) {
        self.results.with_label_values(&[result]).inc();
    }

    /// Asks each catalog instance in turn until one answers.
    async fn ask(&self, song: &str) -> Result<bool, String> {
        let _permit = self.lookups.acquire().await.map_err(|error| error.to_string())?;
        let start = self.next.fetch_add(1, Ordering::Relaxed);
        let mut last = String::from("no catalog URL is configured");
        for n in 0..self.catalogs.len() {
            let base = &self.catalogs[(start + n) % self.catalogs.len()];
            let url = format!("{}/api/catalog/songs/{song}", base.as_str().trim_end_matches('/'));
            let mut request = self.client.get(&url);
            if let Some(token) = &self.token {
                request = request.header(TOKEN_HEADER, token);
            }
            match request.send().await {
                Ok(response) => match response.status() {
                    StatusCode::OK => return Ok(true),
                    StatusCode::NOT_FOUND | StatusCode::BAD_REQUEST => return Ok(false),
                    status => last = format!("the catalog at {base} answered {status}"),
                },
                Err(error) => last = format!("the catalog at {base} is unreachable: {error}"),
            }
        }
        Err(last)
    }
}
