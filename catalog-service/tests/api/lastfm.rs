//! Last.fm details replayed by a local fixture server.

use serde_json::Value;

use crate::{
    audio::{Tags, make},
    fixtures::{FixtureServer, Route},
    helpers::{Options, TestApp, spawn_app_with_music_and},
};

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/lastfm/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|error| panic!("{path}: {error}"))
}

async fn app_with_lastfm(server: &FixtureServer, key: &str) -> TestApp {
    let mut options = Options {
        allow_hosts: server.host(),
        ..Options::default()
    };
    options.raw.lastfm_api_key = key.into();
    options.raw.lastfm_url = server.url("/2.0/");
    options.raw.lastfm_rate_per_sec = 50;
    spawn_app_with_music_and(options, |dir| {
        make(
            dir,
            "joga.mp3",
            &Tags {
                album_artist: Some("Björk"),
                ..Tags::song("Jóga", "Björk", "Homogenic")
            },
        );
    })
    .await
}

async fn first(app: &TestApp, list: &str) -> Value {
    let page = app.get_json(list).await;
    let id = page["items"][0]["id"].as_str().expect("an id").to_owned();
    let kind = list.split('?').next().expect("a path");
    app.get_json(&format!("{kind}/{id}")).await
}

#[tokio::test]
async fn details_of_songs_albums_and_artists_come_from_lastfm_and_are_cached() {
    let server = FixtureServer::start().await;
    let json = "application/json";
    server.set(
        "/2.0/?method=artist.getInfo&artist=Björk",
        Route::ok(json, fixture("artist.getInfo.json")),
    );
    server.set(
        "/2.0/?method=album.getInfo&album=Homogenic",
        Route::ok(json, fixture("album.getInfo.json")),
    );
    server.set(
        "/2.0/?method=track.getInfo&track=Jóga",
        Route::ok(json, fixture("track.getInfo.json")),
    );
    let app = app_with_lastfm(&server, "test-key").await;

    let artist = first(&app, "artists").await;
    let lastfm = &artist["details"]["lastfm"];
    assert_eq!(lastfm["status"], "ok", "{artist}");
    assert_eq!(lastfm["listeners"], 2_146_981);
    assert!(
        lastfm["summary"]
            .as_str()
            .expect("summary")
            .starts_with("Björk Guðmundsdóttir")
    );
    assert_eq!(lastfm["similar_artists"][0], "Röyksopp");
    assert_eq!(lastfm["tags"][1], "electronic");

    let album = first(&app, "albums").await;
    assert_eq!(album["details"]["lastfm"]["listeners"], 605_443);
    assert!(album["details"]["lastfm"]["images"]["extralarge"].is_string());

    let song = first(&app, "songs").await;
    assert_eq!(song["details"]["lastfm"]["playcount"], 3_894_721);
    assert_eq!(song["details"]["lastfm"]["tags"][0], "trip-hop");

    first(&app, "artists").await;
    assert_eq!(
        server.count_query(("method", "artist.getInfo")),
        1,
        "the second answer came from the cache"
    );
    assert_eq!(
        server.count_query(("api_key", "test-key")),
        3,
        "every call carries the key"
    );
}

#[tokio::test]
async fn lastfm_error_codes_become_clear_states() {
    let server = FixtureServer::start().await;
    let json = "application/json";
    server.set(
        "/2.0/?method=artist.getInfo",
        Route {
            status: 403,
            ..Route::ok(json, fixture("error-invalid-key.json"))
        },
    );
    server.set(
        "/2.0/?method=album.getInfo",
        Route::ok(json, fixture("error-not-found.json")),
    );
    server.set(
        "/2.0/?method=track.getInfo",
        Route {
            status: 429,
            ..Route::ok(json, fixture("error-rate-limit.json"))
        },
    );
    let app = app_with_lastfm(&server, "bad-key").await;
    assert_eq!(
        first(&app, "artists").await["details"]["lastfm"]["status"],
        "invalid_key"
    );
    assert_eq!(
        first(&app, "albums").await["details"]["lastfm"]["status"],
        "not_found"
    );
    let song = first(&app, "songs").await;
    assert_eq!(song["details"]["lastfm"]["status"], "rate_limited");
    assert_eq!(song["title"], "Jóga", "details still answer");
}
