//! Reads the live figures the stats consumer maintains in Redis.

use std::time::Duration;

use common::{redis_conn::LazyRedis, stats_keys::StatsKeys};

/// Counts of one song.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SongFigures {
    pub listeners: u64,
    pub plays: u64,
}

/// `online` plus the figures of `songs`, in one round trip.
pub async fn read(
    redis: &LazyRedis,
    keys: &StatsKeys,
    window: Duration,
    songs: &[String],
) -> redis::RedisResult<(u64, Vec<SongFigures>)> {
    let since = chrono::Utc::now().timestamp_millis() - i64::try_from(window.as_millis()).unwrap_or(i64::MAX);
    let mut pipe = redis::pipe();
    pipe.zcount(keys.presence(), since, "+inf");
    for song in songs {
        pipe.zcount(keys.listeners(song), since, "+inf");
        pipe.get(keys.plays(song));
    }
    let mut connection = redis.get().await?;
    let values: Vec<Option<u64>> = pipe.query_async(&mut connection).await?;
    let online = values.first().copied().flatten().unwrap_or(0);
    let songs = values
        .get(1..)
        .unwrap_or(&[])
        .chunks(2)
        .map(|pair| SongFigures {
            listeners: pair.first().copied().flatten().unwrap_or(0),
            plays: pair.get(1).copied().flatten().unwrap_or(0),
        })
        .collect();
    Ok((online, songs))
}
