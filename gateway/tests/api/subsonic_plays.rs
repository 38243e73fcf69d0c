//! Plays from apps are plays: `scrobble` against the real catalog,
//! events-service, broker, stats consumer and Redis; `getNowPlaying`;
//! `stream` counts nothing.

use std::time::{Duration, Instant};

use serde_json::Value;

use crate::subsonic_system::System;

pub fn ok(body: &Value) -> &Value {
    let response = &body["subsonic-response"];
    assert_eq!(response["status"], "ok", "{body}");
    response
}

async fn first_song(system: &System) -> (String, String) {
    let found = system.json("search3", &[("query", "Beta")]).await;
    let song = &ok(&found)["searchResult3"]["song"][0];
    (
        song["id"].as_str().expect("id").to_owned(),
        song["title"].as_str().expect("title").to_owned(),
    )
}

/// The ops figures' total plays, read as an admin through the gateway.
async fn total_plays(system: &System, cookie: &str) -> u64 {
    let stats: Value = system
        .app
        .get("/api/events/stats", Some(cookie))
        .await
        .json()
        .await
        .expect("stats json");
    stats["total_plays"].as_u64().unwrap_or(0)
}

async fn wait_for_total(system: &System, cookie: &str, want: u64) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let total = total_plays(system, cookie).await;
        if total == want {
            return;
        }
        assert!(total < want, "counted {total} plays, more than {want}");
        assert!(
            Instant::now() < deadline,
            "the plays stayed at {total}, not {want}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// An API key for the admin: polling with a password would trip the
/// sign-in rate limits (every password attempt counts).
pub async fn api_key(system: &System, cookie: &str) -> String {
    let created: Value = system
        .app
        .client
        .post(system.app.url("/api/auth/api-keys"))
        .header("cookie", cookie)
        .json(&serde_json::json!({"name": "plays"}))
        .send()
        .await
        .expect("a key")
        .json()
        .await
        .expect("json");
    created["key"].as_str().expect("key").to_owned()
}

/// `/rest/<method>` with the API key, as JSON.
pub async fn keyed(system: &System, key: &str, method: &str, params: &[(&str, &str)]) -> Value {
    let mut query = vec![("apiKey", key), ("v", "1.16.1"), ("c", "tests"), ("f", "json")];
    query.extend_from_slice(params);
    system
        .app
        .client
        .get(system.app.url(&format!("/rest/{method}")))
        .query(&query)
        .send()
        .await
        .expect("rest call")
        .json()
        .await
        .expect("json")
}

async fn now_playing(system: &System, key: &str) -> Vec<Value> {
    let answer = keyed(system, key, "getNowPlaying", &[]).await;
    ok(&answer)["nowPlaying"]["entry"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

#[tokio::test]
async fn a_listened_song_counts_one_play_and_shows_as_now_playing() {
    let system = System::start_live().await;
    let cookie = system.app.admin_cookie().await;
    let key = api_key(&system, &cookie).await;
    let (song, title) = first_song(&system).await;

    // Streaming is not a play.
    let streamed = system.call("stream", &[("id", &song)], "json").await;
    assert_eq!(streamed.status(), 200);
    assert!(!streamed.bytes().await.expect("audio").is_empty());

    // Now playing: listed with who and where, counted once.
    ok(&keyed(
        &system,
        &key,
        "scrobble",
        &[("id", &song), ("submission", "false")],
    )
    .await);
    let deadline = Instant::now() + Duration::from_secs(60);
    let entry = loop {
        if let Some(entry) = now_playing(&system, &key)
            .await
            .into_iter()
            .find(|entry| entry["id"] == song.as_str())
        {
            break entry;
        }
        assert!(Instant::now() < deadline, "the song never showed as now playing");
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(entry["username"], "admin");
    assert_eq!(entry["title"], title.as_str());
    assert_eq!(entry["playerName"], "tests");
    assert_eq!(entry["minutesAgo"], 0);
    assert!(entry["playerId"].is_u64());
    wait_for_total(&system, &cookie, 1).await;

    // The submission of the same song is not a second play; the app is
    // no longer listed as playing it.
    ok(&keyed(
        &system,
        &key,
        "scrobble",
        &[("id", &song), ("submission", "true")],
    )
    .await);
    let deadline = Instant::now() + Duration::from_secs(60);
    while !now_playing(&system, &key).await.is_empty() {
        assert!(Instant::now() < deadline, "the app stayed in now playing");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // A submission alone (an app that sends no now playing) is one play.
    ok(&keyed(&system, &key, "scrobble", &[("id", &song)]).await);
    wait_for_total(&system, &cookie, 2).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(
        total_plays(&system, &cookie).await,
        2,
        "the stream and the submission after now playing added nothing"
    );
}

#[tokio::test]
async fn scrobbles_of_unknown_or_missing_ids_are_errors_not_plays() {
    let system = System::start_live().await;
    let key = api_key(&system, &system.app.admin_cookie().await).await;
    let missing = keyed(&system, &key, "scrobble", &[]).await;
    assert_eq!(missing["subsonic-response"]["error"]["code"], 10);
    let unknown = keyed(
        &system,
        &key,
        "scrobble",
        &[("id", "11111111-2222-4333-8444-555555555555")],
    )
    .await;
    assert_eq!(unknown["subsonic-response"]["error"]["code"], 70);
    let malformed = keyed(&system, &key, "scrobble", &[("id", "nope")]).await;
    assert_eq!(malformed["subsonic-response"]["error"]["code"], 70);
    assert!(now_playing(&system, &key).await.is_empty());
}
