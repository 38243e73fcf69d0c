//! Plays count only for songs the catalog knows.

use std::time::{Duration, Instant};

use common::test_support::dead_url;
use serde_json::json;

use crate::{
    consumer::{own_group, spawn_consumer},
    fixtures,
    helpers::{
        SONG, SONG_B, TestApp, isolated_settings, next_of_type, of_session, read_topic, send_json,
        spawn_app_with,
    },
};

/// An id no catalog has.
const MADE_UP: &str = "d9428888-122b-11e1-b85c-61cd3cbb3210";

async fn redis(app: &TestApp) -> redis::aio::MultiplexedConnection {
    redis::Client::open(app.settings.redis.url.as_str())
        .expect("client")
        .get_multiplexed_async_connection()
        .await
        .expect("redis")
}

async fn keys(redis: &mut redis::aio::MultiplexedConnection, pattern: &str) -> Vec<String> {
    redis::cmd("KEYS")
        .arg(pattern)
        .query_async(redis)
        .await
        .expect("keys")
}

/// The attack: an anonymous socket sends `play` for made-up ids, which
/// used to get their own counters and a place in the trending list.
#[tokio::test]
async fn a_play_for_a_made_up_song_is_refused_and_leaves_no_keys() {
    let (mut settings, events) = isolated_settings();
    let stand_in = fixtures::spawn(&[SONG, SONG_B]);
    settings.upstreams.catalog = vec![stand_in.url.clone()];
    let consumer = spawn_consumer(&settings, &own_group("fake"), |_| {}).await;
    let app = spawn_app_with(settings, events).await;

    let mut socket = app.connect(&[("x-tonearm-session", "sess-fake")]).await;
    next_of_type(&mut socket, "hello").await;
    for message in [
        json!({"type": "play", "song": MADE_UP}),
        json!({"type": "play", "song": MADE_UP}),
        json!({"type": "resume", "song": MADE_UP}),
    ] {
        send_json(&mut socket, message).await;
        let error = next_of_type(&mut socket, "error").await;
        assert_eq!(error["code"], "unknown_song", "{error}");
    }
    assert_eq!(stand_in.asked.times(MADE_UP), 1, "the answer is cached");
    // A known song after them: once it is folded, so would they have been.
    send_json(&mut socket, json!({"type": "play", "song": SONG})).await;
    let mut redis = redis(&app).await;
    let prefix = app.settings.redis.prefix.clone();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let plays: Option<u64> = redis::cmd("GET")
            .arg(format!("{prefix}song:{SONG}:plays"))
            .query_async(&mut redis)
            .await
            .expect("get");
        if plays == Some(1) {
            break;
        }
        assert!(Instant::now() < deadline, "the known play was never folded");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        keys(&mut redis, &format!("{prefix}*{MADE_UP}*")).await,
        Vec::<String>::new()
    );
    for trending in keys(&mut redis, &format!("{prefix}trending:*")).await {
        let score: Option<f64> = redis::cmd("ZSCORE")
            .arg(&trending)
            .arg(MADE_UP)
            .query_async(&mut redis)
            .await
            .expect("zscore");
        assert_eq!(score, None, "{trending} lists the made-up song");
    }
    let session: Option<String> = redis::cmd("HGET")
        .arg(format!("{prefix}session:sess-fake"))
        .arg("song")
        .query_async(&mut redis)
        .await
        .expect("hget");
    assert_eq!(session.as_deref(), Some(SONG));

    let read = read_topic(&app.settings, |read| {
        of_session(read, "sess-fake")
            .iter()
            .any(|r| r.event.kind.as_str() == "play")
    })
    .await;
    let songs: Vec<Option<&str>> = of_session(&read, "sess-fake")
        .iter()
        .map(|r| r.event.song.as_deref())
        .collect();
    assert_eq!(songs, [None, Some(SONG)], "only connected and the known play");
    app.stop().await;
    let _ = consumer.stop().await;
}

/// No play is lost to a catalog outage: events are then accepted unchecked
/// (the per-song keys still expire; see docs/redis-keys.md).
#[tokio::test]
async fn plays_are_accepted_unchecked_while_the_catalog_is_unreachable() {
    let (mut settings, events) = isolated_settings();
    settings.upstreams.catalog = vec![dead_url().parse().expect("url")];
    let app = spawn_app_with(settings, events).await;
    let mut socket = app.connect(&[("x-tonearm-session", "sess-no-catalog")]).await;
    next_of_type(&mut socket, "hello").await;
    send_json(&mut socket, json!({"type": "play", "song": MADE_UP})).await;
    send_json(&mut socket, json!({"type": "play", "song": SONG})).await;
    // Ask for an answer: any refusal would arrive before this one.
    send_json(&mut socket, json!({"type": "dance"})).await;
    assert_eq!(next_of_type(&mut socket, "error").await["code"], "unknown_type");
    let read = read_topic(&app.settings, |read| {
        of_session(read, "sess-no-catalog")
            .iter()
            .filter(|r| r.event.kind.as_str() == "play")
            .count()
            == 2
    })
    .await;
    let plays: Vec<Option<&str>> = of_session(&read, "sess-no-catalog")
        .iter()
        .filter(|r| r.event.kind.as_str() == "play")
        .map(|r| r.event.song.as_deref())
        .collect();
    assert_eq!(plays, [Some(MADE_UP), Some(SONG)]);
    app.stop().await;
}
