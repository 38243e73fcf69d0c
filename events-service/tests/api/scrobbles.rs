//! `POST /api/events/scrobbles` and `GET /api/events/now-playing`: what
//! Subsonic apps report becomes player events, one play per song listened.

use std::time::Duration;

use common::events::{EventType, Source};
use serde_json::Value;

use crate::helpers::{APP_SESSION, APP_USER, SONG, SONG_B, of_session, read_topic, scrobble, spawn_app};

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
    let now_playing = scrobble(&app, Some(APP_USER), &[SONG], false).await;
    assert_eq!(now_playing.status(), 202);
    let now_playing: Value = now_playing.json().await.expect("json");
    assert_eq!(now_playing["session"], APP_SESSION);
    assert_eq!(kinds(&now_playing), [(SONG.into(), "play".into())]);
    // Apps repeat "now playing" (on resume, say): a sign of life, not a play.
    let again: Value = scrobble(&app, Some(APP_USER), &[SONG], false)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(kinds(&again), [(SONG.into(), "resume".into())]);
    let submitted: Value = scrobble(&app, Some(APP_USER), &[SONG], true)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(kinds(&submitted), [(SONG.into(), "ended".into())]);
    // No "now playing" before: the submission is the play.
    let alone: Value = scrobble(&app, Some(APP_USER), &[SONG_B, SONG], true)
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

    let read = read_topic(&app.settings, |read| of_session(read, APP_SESSION).len() >= 7).await;
    let events = of_session(&read, APP_SESSION);
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
        assert_eq!(record.event.user.as_deref(), Some(APP_USER));
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
    let response = scrobble(&app, Some(APP_USER), &[SONG, unknown], true).await;
    assert_eq!(response.status(), 404);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["error"]["code"], "unknown_song");
    assert!(
        body["error"]["message"]
            .as_str()
            .expect("message")
            .contains(unknown)
    );

    let response = scrobble(&app, Some(APP_USER), &["not-an-id"], true).await;
    assert_eq!(response.status(), 400);
    let response = scrobble(&app, None, &[SONG], true).await;
    assert_eq!(response.status(), 403);

    // Only this marker reaches the topic: the refused calls left nothing.
    let marker: Value = scrobble(&app, Some(APP_USER), &[SONG_B], false)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(kinds(&marker), [(SONG_B.into(), "play".into())]);
    let read = read_topic(&app.settings, |read| !read.is_empty()).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let songs: Vec<_> = of_session(&read, APP_SESSION)
        .iter()
        .map(|record| record.event.song.clone())
        .collect();
    assert_eq!(songs, [Some(SONG_B.to_owned())]);
    app.stop().await;
}
