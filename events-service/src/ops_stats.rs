//! `GET /api/events/stats` (admin): the live figures of the ops dashboard,
//! read in one Redis pipeline from the keys the stats consumer maintains
//! (docs/redis-keys.md).

use std::{collections::HashMap, sync::Arc, time::Duration};

use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use common::{ApiError, caller::Admin, redis_conn::LazyRedis, stats_keys::StatsKeys};
use redis::{FromRedisValue, Value};
use serde::Serialize;
use utoipa::ToSchema;

/// Minutes of the plays-per-minute series, and of the trending window.
const MINUTES: i64 = 60;
/// Songs in the trending list.
const TRENDING: usize = 10;
/// The figures are stale when the oldest event not folded yet is this old.
const STALE_LAG_SECS: f64 = 10.0;
/// The stats consumer measures its lag every second; when no measure is
/// this recent, no consumer is folding and the figures are stale.
const SILENT_CONSUMER_MS: i64 = 30_000;

/// The stats route's state.
pub struct OpsStatsContext {
    pub redis: Arc<LazyRedis>,
    pub keys: StatsKeys,
    /// The presence window: a session is online when seen within it.
    pub presence_timeout: Duration,
}

/// The answer of `GET /api/events/stats`.
#[derive(Debug, Serialize, ToSchema)]
pub struct OpsStats {
    online: u64,
    plays_per_minute: Vec<MinutePlays>,
    trending: Vec<TrendingSong>,
    unique_listeners_today: u64,
    total_plays: u64,
    consumer: ConsumerLag,
}

/// How far the figures are behind the event log, as the stats consumer's
/// watchdog last measured it (`{prefix}consumer:lag`).
#[derive(Debug, PartialEq, Serialize, ToSchema)]
struct ConsumerLag {
    /// Events in the log not folded into the figures yet.
    lag_events: u64,
    /// How long the oldest of them has waited.
    lag_seconds: f64,
    /// Partitions behind and not advancing.
    stalled: u64,
    /// When it was measured; `None` before any stats consumer ran.
    checked_at: Option<String>,
    /// Stalled, [`STALE_LAG_SECS`] behind, or no measure for
    /// [`SILENT_CONSUMER_MS`]: the figures users see are not current.
    stale: bool,
}

/// Plays started in one UTC minute.
#[derive(Debug, PartialEq, Eq, Serialize, ToSchema)]
struct MinutePlays {
    minute: String,
    plays: u64,
}

/// A song of the trending list; the title is unknown to this service.
#[derive(Debug, PartialEq, Eq, Serialize, ToSchema)]
struct TrendingSong {
    song: String,
    title: Option<String>,
    plays: u64,
}

/// `GET /api/events/stats` -> 200 with [`OpsStats`], 403 for non-admins.
#[utoipa::path(get, path = "/api/events/stats", tag = "events",
    responses((status = 200, body = OpsStats), (status = 403), (status = 503, description = "Redis is unavailable")))]
pub async fn get(_admin: Admin, context: web::Data<OpsStatsContext>) -> Result<HttpResponse, ApiError> {
    let stats = read(&context, Utc::now()).await.map_err(unavailable)?;
    Ok(HttpResponse::Ok().json(stats))
}

/// The last [`MINUTES`] UTC minutes up to the one holding `now`, oldest first.
fn minutes_ending(now: DateTime<Utc>) -> Vec<DateTime<Utc>> {
    let current = now.timestamp().div_euclid(60);
    (current - MINUTES + 1..=current)
        .filter_map(|minute| DateTime::from_timestamp(minute * 60, 0))
        .collect()
}

async fn read(context: &OpsStatsContext, now: DateTime<Utc>) -> redis::RedisResult<OpsStats> {
    let window = i64::try_from(context.presence_timeout.as_millis()).unwrap_or(i64::MAX);
    let since = now.timestamp_millis().saturating_sub(window);
    let minutes = minutes_ending(now);
    let mut pipe = redis::pipe();
    pipe.zcount(context.keys.presence(), since, "+inf")
        .pfcount(context.keys.unique(&now.format("%Y%m%d").to_string()))
        .get(context.keys.plays_total());
    for minute in &minutes {
        pipe.zrange_withscores(
            context.keys.trending(&minute.format("%Y%m%d%H%M").to_string()),
            0,
            -1,
        );
    }
    pipe.hgetall(context.keys.lag());
    let mut connection = context.redis.get().await?;
    let values: Vec<Value> = pipe.query_async(&mut connection).await?;
    let mut values = values.into_iter();
    let online: u64 = take(&mut values)?;
    let unique_listeners_today: u64 = take(&mut values)?;
    let total_plays: Option<u64> = take(&mut values)?;
    let buckets = (0..minutes.len())
        .map(|_| take::<Vec<(String, f64)>>(&mut values))
        .collect::<redis::RedisResult<Vec<_>>>()?;
    let lag: HashMap<String, String> = take(&mut values)?;
    let (plays_per_minute, trending) = summarise(&minutes, buckets);
    Ok(OpsStats {
        online,
        plays_per_minute,
        trending,
        unique_listeners_today,
        total_plays: total_plays.unwrap_or(0),
        consumer: consumer_lag(&lag, now),
    })
}

/// The consumer's lag from its hash (fields `events`, `seconds`,
/// `stalled`, `checked_ms`); an unreadable field counts as unknown.
fn consumer_lag(hash: &HashMap<String, String>, now: DateTime<Utc>) -> ConsumerLag {
    let field = |name: &str| hash.get(name).and_then(|value| value.parse::<f64>().ok());
    let checked = field("checked_ms").and_then(|ms| DateTime::from_timestamp_millis(ms as i64));
    let lag_seconds = field("seconds")
        .filter(|s| s.is_finite() && *s >= 0.0)
        .unwrap_or(0.0);
    let stalled = field("stalled").map_or(0, plays_of);
    let silent = checked.is_none_or(|at| (now - at).num_milliseconds() > SILENT_CONSUMER_MS);
    ConsumerLag {
        lag_events: field("events").map_or(0, plays_of),
        lag_seconds,
        stalled,
        checked_at: checked.map(|at| at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
        stale: silent || stalled > 0 || lag_seconds >= STALE_LAG_SECS,
    }
}

/// The next pipeline answer as `T`.
fn take<T: FromRedisValue>(values: &mut impl Iterator<Item = Value>) -> redis::RedisResult<T> {
    let missing = (redis::ErrorKind::TypeError, "short pipeline answer");
    redis::from_owned_redis_value(values.next().ok_or(missing)?)
}

/// Plays per minute (sum of each bucket) and the best songs over all buckets.
fn summarise(
    minutes: &[DateTime<Utc>],
    buckets: Vec<Vec<(String, f64)>>,
) -> (Vec<MinutePlays>, Vec<TrendingSong>) {
    let mut per_song: HashMap<String, u64> = HashMap::new();
    let per_minute = minutes
        .iter()
        .zip(buckets)
        .map(|(minute, bucket)| {
            let mut plays = 0;
            for (song, score) in bucket {
                let count = plays_of(score);
                plays += count;
                *per_song.entry(song).or_default() += count;
            }
            MinutePlays {
                minute: minute.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                plays,
            }
        })
        .collect();
    let mut trending: Vec<TrendingSong> = per_song
        .into_iter()
        .filter(|(_, plays)| *plays > 0)
        .map(|(song, plays)| TrendingSong {
            song,
            title: None,
            plays,
        })
        .collect();
    // Ties by id, so the list does not shuffle between polls.
    trending.sort_by(|a, b| b.plays.cmp(&a.plays).then_with(|| a.song.cmp(&b.song)));
    trending.truncate(TRENDING);
    (per_minute, trending)
}

/// A score counted by ZINCRBY is a whole number; a negative or non-finite
/// one (written by hand) counts as no plays rather than failing the answer.
fn plays_of(score: f64) -> u64 {
    if score.is_finite() && score > 0.0 {
        // Float to integer casts saturate, so a huge score cannot wrap.
        score.round() as u64
    } else {
        0
    }
}

fn unavailable(error: redis::RedisError) -> ApiError {
    tracing::warn!(%error, "redis unavailable for the ops figures");
    ApiError::service_unavailable(
        "redis_unavailable",
        "the live figures are unavailable right now; try again",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .expect("a time")
            .with_timezone(&Utc)
    }

    #[test]
    fn the_series_ends_at_the_current_minute_oldest_first() {
        let minutes = minutes_ending(at("2026-11-25T15:20:42.5Z"));
        assert_eq!(minutes.len(), 60);
        assert_eq!(minutes.first(), Some(&at("2026-11-25T14:21:00Z")));
        assert_eq!(minutes.last(), Some(&at("2026-11-25T15:20:00Z")));
    }

    #[test]
    fn the_figures_are_stale_when_the_consumer_lags_stalls_or_is_silent() {
        let now = at("2026-11-25T15:20:42Z");
        let hash = |events: &str, seconds: &str, stalled: &str, checked: &str| -> HashMap<String, String> {
            let checked_ms = at(checked).timestamp_millis().to_string();
            [
                ("events", events),
                ("seconds", seconds),
                ("stalled", stalled),
                ("checked_ms", &checked_ms),
            ]
            .into_iter()
            .map(|(key, value)| (key.to_owned(), value.to_owned()))
            .collect()
        };
        let current = consumer_lag(&hash("12", "0.5", "0", "2026-11-25T15:20:41Z"), now);
        assert_eq!((current.lag_events, current.stale), (12, false));
        assert_eq!(current.checked_at.as_deref(), Some("2026-11-25T15:20:41Z"));
        assert!(
            consumer_lag(&hash("660", "42.0", "0", "2026-11-25T15:20:41Z"), now).stale,
            "behind"
        );
        assert!(
            consumer_lag(&hash("660", "9.0", "1", "2026-11-25T15:20:41Z"), now).stale,
            "stalled"
        );
        assert!(
            consumer_lag(&hash("0", "0.0", "0", "2026-11-25T15:19:00Z"), now).stale,
            "silent"
        );
        let never = consumer_lag(&HashMap::new(), now);
        assert!(
            never.stale && never.checked_at.is_none(),
            "no consumer ever measured"
        );
    }

    #[test]
    fn buckets_add_up_per_minute_and_per_song() {
        let minutes = [at("2026-11-25T15:19:00Z"), at("2026-11-25T15:20:00Z")];
        let buckets = vec![
            vec![("b".to_owned(), 2.0), ("a".to_owned(), 1.0)],
            vec![("a".to_owned(), 1.0), ("c".to_owned(), 3.0)],
        ];
        let (series, trending) = summarise(&minutes, buckets);
        assert_eq!(series[0].minute, "2026-11-25T15:19:00Z");
        assert_eq!(series.iter().map(|m| m.plays).collect::<Vec<_>>(), [3, 4]);
        let order: Vec<_> = trending.iter().map(|t| (t.song.as_str(), t.plays)).collect();
        assert_eq!(order, [("c", 3), ("a", 2), ("b", 2)]);
    }
}
