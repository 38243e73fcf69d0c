//! Plays from apps are plays: `scrobble` against the real catalog,
//! events-service, broker, stats consumer and Redis; `getNowPlaying`;
//! `stream` counts nothing.

use std::time::Duration;

use serde_json::Value;

use crate::{
    helpers::{TestApp, eventually, spawn_live_app},
    rest::ok,
};

async fn first_song(app: &TestApp) -> (String, String) {
    let found = app.json("search3", &[("query", "Beta")]).await;
    let song = &ok(&found)["searchResult3"]["song"][0];
    (
        song["id"].as_str().expect("id").to_owned(),
        song["title"].as_str().expect("title").to_owned(),
    )
}

async fn now_playing(app: &TestApp, key: &str) -> Vec<Value> {
    let answer = app.keyed(key, "getNowPlaying", &[]).await;
    ok(&answer)["nowPlaying"]["entry"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

#[tokio::test]
async fn a_listened_song_counts_one_play_and_shows_as_now_playing() {
    let app = spawn_live_app().await;
    let cookie = app.admin_cookie().await;
    let key = app.admin_api_key().await;
    let (song, title) = first_song(&app).await;

    // Streaming is not a play.
    let streamed = app.call("stream", &[("id", &song)], "json").await;
    assert_eq!(streamed.status(), 200);
    assert!(!streamed.bytes().await.expect("audio").is_empty());

    // Now playing: listed with who and where, counted once.
    let now = [("id", song.as_str()), ("submission", "false")];
    ok(&app.keyed(&key, "scrobble", &now).await);
    let entry = eventually("the song to show as now playing", 60, || async {
        let entries = now_playing(&app, &key).await;
        entries.into_iter().find(|entry| entry["id"] == song.as_str())
    })
    .await;
    assert_eq!(entry["username"], "admin");
    assert_eq!(entry["title"], title.as_str());
    assert_eq!(entry["playerName"], "tests");
    assert_eq!(entry["minutesAgo"], 0);
    assert!(entry["playerId"].is_u64());
    app.wait_for_total_plays(&cookie, 1).await;

    // The submission of the same song is not a second play; the app is
    // no longer listed as playing it.
    let submission = [("id", song.as_str()), ("submission", "true")];
    ok(&app.keyed(&key, "scrobble", &submission).await);
    eventually("the app to leave now playing", 60, || async {
        now_playing(&app, &key).await.is_empty().then_some(())
    })
    .await;
    // A submission alone (an app that sends no now playing) is one play.
    ok(&app.keyed(&key, "scrobble", &[("id", &song)]).await);
    app.wait_for_total_plays(&cookie, 2).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(
        app.total_plays(&cookie).await,
        2,
        "the stream and the submission after now playing added nothing"
    );
}

#[tokio::test]
async fn scrobbles_of_unknown_or_missing_ids_are_errors_not_plays() {
    let app = spawn_live_app().await;
    let key = app.admin_api_key().await;
    let missing = app.keyed(&key, "scrobble", &[]).await;
    assert_eq!(missing["subsonic-response"]["error"]["code"], 10);
    let unknown_id = [("id", "11111111-2222-4333-8444-555555555555")];
    let unknown = app.keyed(&key, "scrobble", &unknown_id).await;
    assert_eq!(unknown["subsonic-response"]["error"]["code"], 70);
    let malformed = app.keyed(&key, "scrobble", &[("id", "nope")]).await;
    assert_eq!(malformed["subsonic-response"]["error"]["code"], 70);
    assert!(now_playing(&app, &key).await.is_empty());
}
