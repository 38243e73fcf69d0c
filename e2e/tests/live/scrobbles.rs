//! What Subsonic apps report, through the fold: a scrobble moves a
//! socket's figures.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::consumer::{own_group, spawn_consumer};
use crate::helpers::{
    APP_SESSION, APP_USER, SONG, TestApp, isolated_settings, next_of_type, scrobble, send_json,
    spawn_app_with,
};

/// Through the fold: a scrobble moves a socket's figures, and now playing
/// lists the app until its submission.
#[tokio::test]
async fn an_app_shows_as_now_playing_and_its_play_reaches_the_figures() {
    let (settings, events) = isolated_settings();
    let consumer = spawn_consumer(&settings, &own_group("scrobble"), |_| {}).await;
    let app = spawn_app_with(settings, events).await;

    let mut socket = app.connect(&[("x-tonearm-session", "listener-1")]).await;
    next_of_type(&mut socket, "hello").await;
    send_json(&mut socket, json!({"type": "play", "song": SONG})).await;
    assert_eq!(scrobble(&app, Some(APP_USER), &[SONG], false).await.status(), 202);
    loop {
        let stats = next_of_type(&mut socket, "stats").await;
        if stats["plays"] == 2 && stats["listeners"] == 2 {
            break;
        }
    }
    let entries = wait_for_now_playing(&app, |entries| {
        entries.iter().any(|e| e["session"] == APP_SESSION)
    })
    .await;
    let app_entry = entries
        .iter()
        .find(|e| e["session"] == APP_SESSION)
        .expect("the app");
    assert_eq!(app_entry["user"], APP_USER);
    assert_eq!(app_entry["song"], SONG);
    assert_eq!(app_entry["source"], "subsonic");
    assert_eq!(app_entry["client"], "DSub");

    assert_eq!(scrobble(&app, Some(APP_USER), &[SONG], true).await.status(), 202);
    wait_for_now_playing(&app, |entries| {
        entries.iter().all(|e| e["session"] != APP_SESSION)
    })
    .await;
    loop {
        let stats = next_of_type(&mut socket, "stats").await;
        if stats["listeners"] == 1 {
            assert_eq!(
                stats["plays"], 2,
                "the submission after now playing is no second play"
            );
            break;
        }
    }
    let anonymous = app
        .client
        .get(format!("{}/api/events/now-playing", app.address))
        .send()
        .await
        .expect("answer");
    assert_eq!(anonymous.status(), 403);
    app.stop().await;
    let _ = consumer.stop().await;
}

async fn wait_for_now_playing(app: &TestApp, want: impl Fn(&[Value]) -> bool) -> Vec<Value> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let listener = [("x-tonearm-user", APP_USER), ("x-tonearm-role", "listener")];
        let answer = app.get_json("/api/events/now-playing", &listener).await;
        let entries = answer["entries"].as_array().cloned().unwrap_or_default();
        if want(&entries) {
            return entries;
        }
        assert!(Instant::now() < deadline, "now playing never matched: {answer}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
