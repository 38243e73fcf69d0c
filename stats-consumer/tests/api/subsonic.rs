//! Events from Subsonic apps (`source: "subsonic"`) and version 1 events
//! fold like a socket's: a play counts once, now playing is listed.

use std::collections::BTreeMap;

use common::{
    events::{EventType, PlayerEvent, Source},
    stats_keys::StatsKeys,
};

use crate::helpers::{
    A, B, create_topics, event, isolated_settings, produce, produce_events, producer, redis, spawn_app,
    wait_caught_up,
};

fn from_app(session: &str, kind: EventType, song: &str) -> PlayerEvent {
    PlayerEvent::new(session, Some("user-1"), kind, "test")
        .at(Some(song.to_owned()), None)
        .from_source(Source::Subsonic)
}

#[tokio::test]
async fn app_plays_count_once_and_show_as_playing_until_submitted() {
    let (settings, stats) = isolated_settings();
    create_topics(&settings).await;
    let producer = producer(&settings);
    let app_session = "subsonic-user-1-DSub";
    // Now playing A, its submission; then B now playing, not submitted yet.
    produce_events(
        &producer,
        &settings,
        &[
            from_app(app_session, EventType::Play, A),
            from_app(app_session, EventType::Resume, A),
            from_app(app_session, EventType::Ended, A),
            from_app(app_session, EventType::Play, B),
        ],
    )
    .await;
    // A version 1 event (no source), as older producers wrote them.
    let mut v1 = serde_json::to_value(event("web-1", EventType::Play, Some(A))).expect("json");
    v1["v"] = 1.into();
    v1.as_object_mut().expect("object").remove("source");
    produce(&producer, &settings, "web-1", v1.to_string().as_bytes()).await;
    let app = spawn_app(&settings, &stats).await;
    let mut redis = redis(&settings).await;
    wait_caught_up(&settings, &mut redis).await;

    let keys = StatsKeys::new(settings.redis.prefix.clone());
    let (plays_a, plays_b, total): (u64, u64, u64) = redis::pipe()
        .get(keys.plays(A))
        .get(keys.plays(B))
        .get(keys.plays_total())
        .query_async(&mut redis)
        .await
        .expect("plays");
    assert_eq!(
        (plays_a, plays_b, total),
        (2, 1, 3),
        "one play per song listened, the v1 play too"
    );

    let session: BTreeMap<String, String> = redis::cmd("HGETALL")
        .arg(keys.session(app_session))
        .query_async(&mut redis)
        .await
        .expect("session");
    assert_eq!(session.get("state").map(String::as_str), Some("playing"));
    assert_eq!(session.get("song").map(String::as_str), Some(B));
    assert_eq!(session.get("source").map(String::as_str), Some("subsonic"));
    assert_eq!(session.get("user").map(String::as_str), Some("user-1"));
    let v1_source: Option<String> = redis::cmd("HGET")
        .arg(keys.session("web-1"))
        .arg("source")
        .query_async(&mut redis)
        .await
        .expect("source");
    assert_eq!(v1_source.as_deref(), Some("socket"));

    let mut playing: Vec<String> = redis::cmd("ZRANGE")
        .arg(keys.playing())
        .arg(0)
        .arg(-1)
        .query_async(&mut redis)
        .await
        .expect("playing");
    playing.sort();
    assert_eq!(playing, [app_session, "web-1"]);
    let listeners_a: Vec<String> = redis::cmd("ZRANGE")
        .arg(keys.listeners(A))
        .arg(0)
        .arg(-1)
        .query_async(&mut redis)
        .await
        .expect("listeners");
    assert_eq!(listeners_a, ["web-1"], "the app moved on from A");
    app.stop().await;
}

#[tokio::test]
async fn a_submitted_song_leaves_the_playing_set() {
    let (settings, stats) = isolated_settings();
    create_topics(&settings).await;
    let producer = producer(&settings);
    let app_session = "subsonic-user-1-Tempo";
    produce_events(
        &producer,
        &settings,
        &[
            from_app(app_session, EventType::Play, A),
            from_app(app_session, EventType::Ended, A),
        ],
    )
    .await;
    let app = spawn_app(&settings, &stats).await;
    let mut redis = redis(&settings).await;
    wait_caught_up(&settings, &mut redis).await;
    let keys = StatsKeys::new(settings.redis.prefix.clone());
    let playing: u64 = redis::cmd("ZCARD")
        .arg(keys.playing())
        .query_async(&mut redis)
        .await
        .expect("playing");
    assert_eq!(playing, 0);
    let plays: u64 = redis::cmd("GET")
        .arg(keys.plays(A))
        .query_async(&mut redis)
        .await
        .expect("plays");
    assert_eq!(plays, 1);
    app.stop().await;
}
