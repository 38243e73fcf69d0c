//! Plays count only for songs the catalog knows: a refused play leaves
//! nothing in the live figures.

use std::time::{Duration, Instant};

use crate::{
    consumer::{own_group, spawn_consumer},
    fixtures,
    helpers::{
        MADE_UP, SONG, SONG_B, TestApp, isolated_settings, next_of_type, play_made_up_then, spawn_app_with,
    },
};

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
async fn a_refused_play_for_a_made_up_song_leaves_no_keys() {
    let (mut settings, events) = isolated_settings();
    settings.upstreams.catalog = vec![fixtures::spawn(&[SONG, SONG_B]).url];
    let consumer = spawn_consumer(&settings, &own_group("fake"), |_| {}).await;
    let app = spawn_app_with(settings, events).await;

    let mut socket = app.connect(&[("x-tonearm-session", "sess-fake")]).await;
    next_of_type(&mut socket, "hello").await;
    // The known song after them: once it is folded, so would they have been.
    play_made_up_then(&mut socket, SONG).await;
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

    app.stop().await;
    let _ = consumer.stop().await;
}
