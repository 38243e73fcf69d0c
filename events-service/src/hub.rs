//! Live push: each instance keeps, per song being played by one of its
//! clients, the latest `stats` message in a `watch` channel. A ticker reads
//! Redis once per tick for the songs that changed (never once per client)
//! and replaces the message; every socket of that song wakes and sends the
//! same shared text, so a burst of changes costs each client at most one
//! message per tick. Announcements fan out through a broadcast channel.

use std::{
    collections::{HashMap, HashSet},
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use common::{redis_conn::LazyRedis, stats_keys::StatsKeys};
use tokio::sync::{broadcast, watch};

use crate::{
    figures,
    protocol::{Announcement, ServerMessage, Stats},
};

/// Figures are refreshed this often even without a change notice, so that
/// sessions expiring from the presence window are reflected.
const FULL_REFRESH: Duration = Duration::from_secs(2);

struct Entry {
    stats: Stats,
    tx: watch::Sender<Arc<str>>,
}

#[derive(Default)]
struct State {
    /// Keyed by song; `None` holds the clients playing nothing.
    entries: HashMap<Option<String>, Entry>,
    dirty: HashSet<String>,
    any_dirty: bool,
    recent: Vec<Announcement>,
}

/// The push hub of one instance.
#[derive(Clone)]
pub struct Hub {
    state: Arc<Mutex<State>>,
    announcements: broadcast::Sender<Arc<str>>,
    redis: Arc<LazyRedis>,
    keys: StatsKeys,
    window: Duration,
    kept: usize,
}

fn stats_json(stats: &Stats) -> Arc<str> {
    ServerMessage::Stats(stats).to_json().into()
}

impl Hub {
    pub fn new(redis: Arc<LazyRedis>, keys: StatsKeys, window: Duration, kept: usize) -> Self {
        let (announcements, _) = broadcast::channel(64);
        Self {
            state: Arc::new(Mutex::new(State::default())),
            announcements,
            redis,
            keys,
            window,
            kept,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // A panic while holding the lock leaves plain data behind; keep going.
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The current figures for `song` and a receiver of their updates.
    pub fn subscribe(&self, song: Option<&str>) -> (Stats, watch::Receiver<Arc<str>>) {
        let mut state = self.lock();
        let online = state
            .entries
            .values()
            .map(|entry| entry.stats.online)
            .max()
            .unwrap_or(0);
        let key = song.map(str::to_owned);
        if let Some(song) = song
            && !state.entries.contains_key(&key)
        {
            state.dirty.insert(song.to_owned());
            state.any_dirty = true;
        }
        let entry = state.entries.entry(key).or_insert_with(|| {
            let stats = Stats {
                online,
                song: song.map(str::to_owned),
                listeners: song.map(|_| 0),
                plays: song.map(|_| 0),
            };
            let (tx, _) = watch::channel(stats_json(&stats));
            Entry { stats, tx }
        });
        (entry.stats.clone(), entry.tx.subscribe())
    }

    /// Announcements from now on.
    pub fn announcements(&self) -> broadcast::Receiver<Arc<str>> {
        self.announcements.subscribe()
    }

    /// The latest announcements, newest first.
    pub fn recent(&self) -> Vec<Announcement> {
        self.lock().recent.clone()
    }

    /// A change notice from the consumer: `songs` changed (and presence).
    pub fn mark_changed(&self, songs: impl IntoIterator<Item = String>) {
        let mut state = self.lock();
        state.dirty.extend(songs);
        state.any_dirty = true;
    }

    /// An announcement arrived on the pub/sub channel.
    pub fn announce(&self, announcement: Announcement) {
        let text: Arc<str> = ServerMessage::Announcement(&announcement).to_json().into();
        {
            let mut state = self.lock();
            state.recent.insert(0, announcement);
            let kept = self.kept;
            state.recent.truncate(kept);
        }
        let _ = self.announcements.send(text);
    }

    /// Replaces the kept announcements (read from Redis at start).
    pub fn set_recent(&self, recent: Vec<Announcement>) {
        self.lock().recent = recent;
    }

    /// Pushes figures every `tick` until the task is aborted.
    pub async fn run_ticker(self, tick: Duration) {
        let mut interval = tokio::time::interval(tick);
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut last_full = Instant::now();
        loop {
            interval.tick().await;
            let full = last_full.elapsed() >= FULL_REFRESH;
            if full {
                last_full = Instant::now();
            }
            self.refresh(full).await;
        }
    }

    /// One tick: one Redis round trip for every song that changed.
    async fn refresh(&self, full: bool) {
        let songs: Vec<String> = {
            let mut state = self.lock();
            state
                .entries
                .retain(|song, entry| song.is_none() || entry.tx.receiver_count() > 0);
            if !full && !state.any_dirty {
                return;
            }
            let dirty = std::mem::take(&mut state.dirty);
            state.any_dirty = false;
            state
                .entries
                .keys()
                .flatten()
                .filter(|song| full || dirty.contains(*song))
                .cloned()
                .collect()
        };
        match figures::read(&self.redis, &self.keys, self.window, &songs).await {
            Ok((online, figures)) => self.publish(online, &songs, &figures),
            Err(error) => {
                tracing::debug!(%error, "cannot read live figures; retrying next tick");
                self.lock().any_dirty = true;
            }
        }
    }

    fn publish(&self, online: u64, songs: &[String], figures: &[figures::SongFigures]) {
        let updated: HashMap<&str, &figures::SongFigures> =
            songs.iter().map(String::as_str).zip(figures.iter()).collect();
        let mut state = self.lock();
        for (song, entry) in &mut state.entries {
            let mut next = entry.stats.clone();
            next.online = online;
            if let Some(found) = song.as_deref().and_then(|song| updated.get(song)) {
                next.listeners = Some(found.listeners);
                next.plays = Some(found.plays);
            }
            if next != entry.stats {
                entry.tx.send_replace(stats_json(&next));
                entry.stats = next;
            }
        }
    }
}
