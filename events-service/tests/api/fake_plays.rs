//! Plays count only for songs the catalog knows.

use common::test_support::dead_url;
use serde_json::json;

use crate::{
    fixtures,
    helpers::{
        MADE_UP, SONG, SONG_B, isolated_settings, next_of_type, of_session, play_made_up_then, read_topic,
        send_json, spawn_app_with,
    },
};

/// The attack: an anonymous socket sends `play` for made-up ids, which
/// used to get their own counters and a place in the trending list. Each
/// is refused, the catalog is asked once, and only the known play reaches
/// the topic (the fold's side: `e2e/tests/live/fake_plays.rs`).
#[tokio::test]
async fn a_play_for_a_made_up_song_is_refused_and_never_reaches_the_topic() {
    let (mut settings, events) = isolated_settings();
    let stand_in = fixtures::spawn(&[SONG, SONG_B]);
    settings.upstreams.catalog = vec![stand_in.url.clone()];
    let app = spawn_app_with(settings, events).await;
    let mut socket = app.connect(&[("x-tonearm-session", "sess-fake")]).await;
    next_of_type(&mut socket, "hello").await;
    play_made_up_then(&mut socket, SONG).await;
    assert_eq!(stand_in.asked.times(MADE_UP), 1, "the answer is cached");
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
