//! Every key the fold names after a song, a session or a day has an
//! expiry, so made-up ids (or songs never played again) cannot grow Redis
//! without bound.

use chrono::{Duration as Days, Utc};
use common::{
    events::{EventType, PlayerEvent},
    stats_keys::StatsKeys,
};
use redis::aio::MultiplexedConnection;
use stats_consumer::fold::{FoldTarget, Folder, Positioned, SONG_COUNTER_TTL_SECS};

use crate::helpers::{A, B, event, isolated_settings, redis};

const SESSION_TTL_SECS: u64 = 3600;

fn target(prefix: &str) -> FoldTarget {
    FoldTarget {
        keys: StatsKeys::new(prefix.to_owned()),
        session_ttl_secs: SESSION_TTL_SECS,
        trending_ttl_secs: 7200,
        ranked_songs: 10_000,
        notify: false,
    }
}

async fn fold(redis: &mut MultiplexedConnection, prefix: &str, partition: i32, events: Vec<PlayerEvent>) {
    let next_offset = i64::try_from(events.len()).expect("few events");
    let batch: Vec<Positioned> = events
        .into_iter()
        .zip(0..)
        .map(|(event, offset)| Positioned { offset, event })
        .collect();
    Folder::default()
        .apply(redis, &target(prefix), partition, next_offset, &batch)
        .await
        .expect("folded");
}

async fn ttl_ms(redis: &mut MultiplexedConnection, key: &str) -> i64 {
    redis::cmd("PTTL")
        .arg(key)
        .query_async(redis)
        .await
        .expect("pttl")
}

fn played_at(session: &str, song: &str, days_ago: i64) -> PlayerEvent {
    let mut play = event(session, EventType::Play, Some(song));
    play.ts = Utc::now() - Days::days(days_ago);
    play
}

#[tokio::test]
async fn every_key_named_after_a_song_session_or_day_expires_after_a_fold() {
    let (settings, _) = isolated_settings();
    let prefix = settings.redis.prefix.clone();
    let mut redis = redis(&settings).await;
    let mut signed_in = event("s2", EventType::Play, Some(B));
    signed_in.user = Some("u1".into());
    fold(
        &mut redis,
        &prefix,
        0,
        vec![
            event("s1", EventType::Connected, None),
            event("s1", EventType::Play, Some(A)),
            event("s1", EventType::Heartbeat, None),
            event("s1", EventType::Seek, Some(A)),
            signed_in,
            event("s2", EventType::Pause, Some(B)),
            event("s2", EventType::Resume, Some(B)),
        ],
    )
    .await;

    let keys: Vec<String> = redis::cmd("KEYS")
        .arg(format!("{prefix}*"))
        .query_async(&mut redis)
        .await
        .expect("keys");
    // Fixed names; `presence` is swept, `playing` and the ranked sets are
    // trimmed by the fold.
    let unbounded = [
        "presence",
        "playing",
        "plays:total",
        "consumer:offsets",
        "songs:most-played",
        "songs:recently-played",
    ]
    .map(|name| format!("{prefix}{name}"));
    let mut checked = 0;
    for key in &keys {
        if unbounded.contains(key) {
            continue;
        }
        let left = ttl_ms(&mut redis, key).await;
        assert!(left > 0, "{key} has no expiry ({left})");
        checked += 1;
    }
    // plays x2, listeners x2, trending, uniq, session x2 (at least).
    assert!(checked >= 8, "{keys:?}");

    let day_ms = 86_400_000;
    let bound_ms = i64::try_from(SONG_COUNTER_TTL_SECS).expect("fits") * 1000;
    for song in [A, B] {
        let plays = ttl_ms(&mut redis, &format!("{prefix}song:{song}:plays")).await;
        assert!(
            plays > bound_ms - day_ms && plays <= bound_ms,
            "plays of {song}: {plays} ms"
        );
        let listeners = ttl_ms(&mut redis, &format!("{prefix}song:{song}:listeners")).await;
        let session_ms = i64::try_from(SESSION_TTL_SECS).expect("fits") * 1000;
        assert!(
            listeners > session_ms - 60_000 && listeners <= session_ms,
            "listeners of {song}: {listeners} ms"
        );
    }
}

/// Bounds follow the events' own times, and a later batch of older events
/// (another partition) never shortens them; a play older than the bound
/// leaves no counter, though it still counts in the total.
#[tokio::test]
async fn song_counters_expire_the_bound_after_their_last_play() {
    let (settings, _) = isolated_settings();
    let prefix = settings.redis.prefix.clone();
    let mut redis = redis(&settings).await;
    let bound_days = i64::try_from(SONG_COUNTER_TTL_SECS / 86_400).expect("fits");

    fold(&mut redis, &prefix, 0, vec![played_at("s1", A, 1)]).await;
    fold(&mut redis, &prefix, 1, vec![played_at("s2", A, bound_days + 10)]).await;
    let plays_a: u64 = redis::cmd("GET")
        .arg(format!("{prefix}song:{A}:plays"))
        .query_async(&mut redis)
        .await
        .expect("plays of A");
    assert_eq!(plays_a, 2);
    let left = ttl_ms(&mut redis, &format!("{prefix}song:{A}:plays")).await;
    let expected = (bound_days - 1) * 86_400_000;
    assert!(
        (expected - 60_000..=expected + 60_000).contains(&left),
        "the newer play sets the bound: {left} ms"
    );

    fold(&mut redis, &prefix, 2, vec![played_at("s3", B, bound_days + 1)]).await;
    let exists: bool = redis::cmd("EXISTS")
        .arg(format!("{prefix}song:{B}:plays"))
        .query_async(&mut redis)
        .await
        .expect("exists");
    assert!(!exists, "a song last played past the bound keeps no counter");
    let total: u64 = redis::cmd("GET")
        .arg(format!("{prefix}plays:total"))
        .query_async(&mut redis)
        .await
        .expect("total");
    assert_eq!(total, 3);
}
