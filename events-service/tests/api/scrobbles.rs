//! `POST /api/events/scrobbles` and `GET /api/events/now-playing`: what
//! Subsonic apps report becomes player events, one play per song listened.

use std::time::{Duration, Instant};

use common::events::{EventType, Source};
use serde_json::{Value, json};

use crate::consumer::{own_group, spawn_consumer};
use crate::helpers::{
    SONG, SONG_B, TestApp, isolated_settings, next_of_type, of_session, read_topic, spawn_app, spawn_app_with,
};

const USER: &str = "5b0e1d4c-0000-4000-8000-000000000001";
const SESSION: &str = "subsonic-5b0e1d4c-0000-4000-8000-000000000001-DSub";

async fn scrobble(app: &TestApp, user: Option<&str>, songs: &[&str], submission: bool) -> reqwest::Response {
    let mut request = app
        .client
        .post(format!("{}/api/events/scrobbles", app.address))
        .json(&json!({ "songs": songs, "submission": submission, "client": "DSub" }));
    if let Some(user) = user {
        request = request
            .header("x-tonearm-user", user)
            .header("x-tonearm-role", "listener");
    }
    request.send().await.expect("an answer")
}

fn kinds(answer: &Value) -> Vec<(String, String)> {
    answer["events"]
        .as_array()
        .expect("events")
        .iter()
        .map(|event| {
            (
                event["song"].as_str().expect("song").to_owned(),
                event["type"].as_str().expect("type").to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn now_playing_then_submission_is_one_play_and_a_submission_alone_is_one_too() {
    let app = spawn_app().await;
    let now_playing = scrobble(&app, Some(USER), &[SONG], false).await;
    assert_eq!(now_playing.status(), 202);
    let now_playing: Value = now_playing.json().await.expect("json");
    assert_eq!(now_playing["session"], SESSION);
    assert_eq!(kinds(&now_playing), [(SONG.into(), "play".into())]);
    // Apps repeat "now playing" (on resume, say): a sign of life, not a play.
    let again: Value = scrobble(&app, Some(USER), &[SONG], false)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(kinds(&again), [(SONG.into(), "resume".into())]);
    let submitted: Value = scrobble(&app, Some(USER), &[SONG], true)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(kinds(&submitted), [(SONG.into(), "ended".into())]);
    // No "now playing" before: the submission is the play.
    let alone: Value = scrobble(&app, Some(USER), &[SONG_B, SONG], true)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(
        kinds(&alone),
        [
            (SONG_B.into(), "play".into()),
            (SONG_B.into(), "ended".into()),
            (SONG.into(), "play".into()),
            (SONG.into(), "ended".into())
        ]
    );

    let read = read_topic(&app.settings, |read| of_session(read, SESSION).len() >= 7).await;
    let events = of_session(&read, SESSION);
    let seen: Vec<(EventType, Option<&str>)> = events
        .iter()
        .map(|record| (record.event.kind, record.event.song.as_deref()))
        .collect();
    assert_eq!(
        seen,
        [
            (EventType::Play, Some(SONG)),
            (EventType::Resume, Some(SONG)),
            (EventType::Ended, Some(SONG)),
            (EventType::Play, Some(SONG_B)),
            (EventType::Ended, Some(SONG_B)),
            (EventType::Play, Some(SONG)),
            (EventType::Ended, Some(SONG)),
        ]
    );
    for record in &events {
        assert_eq!(record.event.source, Source::Subsonic);
        assert_eq!(record.event.user.as_deref(), Some(USER));
        assert_eq!(record.event.v, 2);
    }
    let plays = events
        .iter()
        .filter(|record| record.event.kind == EventType::Play)
        .count();
    assert_eq!(plays, 3, "three songs listened, three plays");
    app.stop().await;
}

#[tokio::test]
async fn unknown_songs_bad_ids_and_anonymous_callers_record_nothing() {
    let app = spawn_app().await;
    let unknown = "11111111-2222-4333-8444-555555555555";
    let response = scrobble(&app, Some(USER), &[SONG, unknown], true).await;
    assert_eq!(response.status(), 404);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["error"]["code"], "unknown_song");
    assert!(
        body["error"]["message"]
            .as_str()
            .expect("message")
            .contains(unknown)
    );

    let response = scrobble(&app, Some(USER), &["not-an-id"], true).await;
    assert_eq!(response.status(), 400);
    let response = scrobble(&app, None, &[SONG], true).await;
    assert_eq!(response.status(), 403);

    // Only this marker reaches the topic: the refused calls left nothing.
    let marker: Value = scrobble(&app, Some(USER), &[SONG_B], false)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(kinds(&marker), [(SONG_B.into(), "play".into())]);
    let read = read_topic(&app.settings, |read| !read.is_empty()).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let songs: Vec<_> = of_session(&read, SESSION)
        .iter()
        .map(|record| record.event.song.clone())
        .collect();
    assert_eq!(songs, [Some(SONG_B.to_owned())]);
    app.stop().await;
}

/// Through the fold: a scrobble moves a socket's figures, and now playing
/// lists the app until its submission.
#[tokio::test]
async fn an_app_shows_as_now_playing_and_its_play_reaches_the_figures() {
    let (settings, events) = isolated_settings();
    let consumer = spawn_consumer(&settings, &own_group("scrobble"), |_| {}).await;
    let app = spawn_app_with(settings, events).await;

    let mut socket = app.connect(&[("x-tonearm-session", "listener-1")]).await;
    next_of_type(&mut socket, "hello").await;
    crate::helpers::send_json(&mut socket, json!({"type": "play", "song": SONG})).await;
    assert_eq!(scrobble(&app, Some(USER), &[SONG], false).await.status(), 202);
    loop {
        let stats = next_of_type(&mut socket, "stats").await;
        if stats["plays"] == 2 && stats["listeners"] == 2 {
            break;
        }
    }
    let entries = wait_for_now_playing(&app, |entries| entries.iter().any(|e| e["session"] == SESSION)).await;
    let app_entry = entries.iter().find(|e| e["session"] == SESSION).expect("the app");
    assert_eq!(app_entry["user"], USER);
    assert_eq!(app_entry["song"], SONG);
    assert_eq!(app_entry["source"], "subsonic");
    assert_eq!(app_entry["client"], "DSub");

    assert_eq!(scrobble(&app, Some(USER), &[SONG], true).await.status(), 202);
    wait_for_now_playing(&app, |entries| entries.iter().all(|e| e["session"] != SESSION)).await;
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
        let listener = [("x-tonearm-user", USER), ("x-tonearm-role", "listener")];
        let answer = app.get_json("/api/events/now-playing", &listener).await;
        let entries = answer["entries"].as_array().cloned().unwrap_or_default();
        if want(&entries) {
            return entries;
        }
        assert!(Instant::now() < deadline, "now playing never matched: {answer}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
