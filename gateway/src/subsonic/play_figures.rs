//! The play figures Subsonic apps see (`playCount`, `played`, the
//! `frequent` and `recent` album lists), read straight from the keys the
//! stats consumer folds into Redis (docs/redis-keys.md): the gateway
//! already shares a Redis connection, and one pipeline answers for every
//! song of an answer, where events-service has no route for figures of
//! arbitrary songs.

use std::sync::Arc;

use common::{redis_conn::LazyRedis, stats_keys::StatsKeys};
use redis::RedisResult;

/// What Redis knows of one song's plays.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SongPlays {
    /// Plays within the song bound (0 when never played, or not for 90 days).
    pub count: u64,
    /// When it was last played (ms since the epoch), when known.
    pub last_ms: Option<i64>,
}

/// An order of the ranked songs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ranking {
    /// Most plays first.
    MostPlayed,
    /// Latest play first.
    RecentlyPlayed,
}

/// Reads the play figures under one Redis prefix.
pub struct PlayFigures {
    redis: Arc<LazyRedis>,
    keys: StatsKeys,
}

impl PlayFigures {
    pub fn new(redis: Arc<LazyRedis>, keys: StatsKeys) -> Self {
        Self { redis, keys }
    }

    /// The plays of each of `songs`, in their order, in one round trip.
    pub async fn of_songs(&self, songs: &[&str]) -> RedisResult<Vec<SongPlays>> {
        if songs.is_empty() {
            return Ok(Vec::new());
        }
        let counters: Vec<String> = songs.iter().map(|song| self.keys.plays(song)).collect();
        let mut connection = self.redis.get().await?;
        let (counts, last): (Vec<Option<u64>>, Vec<Option<f64>>) = redis::pipe()
            .cmd("MGET")
            .arg(&counters)
            .cmd("ZMSCORE")
            .arg(self.keys.recently_played())
            .arg(songs)
            .query_async(&mut connection)
            .await?;
        Ok(counts
            .into_iter()
            .zip(last)
            .map(|(count, last)| SongPlays {
                count: count.unwrap_or(0),
                // Whole milliseconds, well within f64's exact integers.
                last_ms: last.map(|ms| ms as i64),
            })
            .collect())
    }

    /// Up to `count` ranked songs after the first `start`, best first,
    /// with their score (plays, or ms of the last play).
    pub async fn ranked(
        &self,
        ranking: Ranking,
        start: usize,
        count: usize,
    ) -> RedisResult<Vec<(String, f64)>> {
        if count == 0 {
            return Ok(Vec::new());
        }
        let key = match ranking {
            Ranking::MostPlayed => self.keys.most_played(),
            Ranking::RecentlyPlayed => self.keys.recently_played(),
        };
        let mut connection = self.redis.get().await?;
        redis::cmd("ZRANGE")
            .arg(key)
            .arg(start)
            .arg(start + count - 1)
            .arg("REV")
            .arg("WITHSCORES")
            .query_async(&mut connection)
            .await
    }
}
