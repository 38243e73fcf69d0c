//! Internet sources against local fixture servers.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::{
    audio::{Tags, make},
    fixtures::{FixtureServer, Route},
    helpers::{Options, TestApp, spawn_app_with},
};

pub fn feed(items: &[(&str, &str)]) -> String {
    let items: String = items
        .iter()
        .map(|(title, file)| {
            format!(
                "<item><title>{title}</title><pubDate>Tue, 03 Jun 2025 09:00:00 GMT</pubDate>\
                 <enclosure url=\"/media/{file}\" length=\"1000\" type=\"audio/mpeg\"/>\
                 <itunes:duration>00:10:00</itunes:duration></item>"
            )
        })
        .collect();
    format!(
        "<?xml version=\"1.0\"?><rss version=\"2.0\" xmlns:itunes=\"http://www.itunes.com/dtds/podcast-1.0.dtd\">\
         <channel><title>Local Radio Hour</title><itunes:author>Ann Host</itunes:author>{items}</channel></rss>"
    )
}

pub async fn app_with(server: &FixtureServer) -> TestApp {
    let mut options = Options {
        allow_hosts: server.host(),
        ..Options::default()
    };
    options.raw.fetch_max_bytes = 64 * 1024;
    spawn_app_with(options).await
}

async fn add(app: &TestApp, url: &str) -> reqwest::Response {
    app.admin_post("sources", Some(json!({ "url": url }))).await
}

async fn added(app: &TestApp, url: &str) -> Value {
    let response = add(app, url).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    response.json().await.expect("json")
}

async fn refresh(app: &TestApp, id: &str) -> Value {
    let response = app.admin_post(&format!("sources/{id}/refresh"), None).await;
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.expect("json")
}

/// Removes source `id` as an admin.
async fn delete_source(app: &TestApp, id: &str) -> reqwest::Response {
    app.client
        .delete(app.url(&format!("sources/{id}")))
        .header("x-tonearm-role", "admin")
        .send()
        .await
        .expect("sent")
}

#[tokio::test]
async fn a_podcast_feed_becomes_an_album_of_episodes() {
    let server = FixtureServer::start().await;
    server.set(
        "/feed.xml",
        Route::ok(
            "application/rss+xml",
            feed(&[("Pilot", "ep1.mp3"), ("Second", "ep2.mp3")]),
        ),
    );
    let app = app_with(&server).await;
    let source = added(&app, &server.url("/feed.xml")).await;
    assert_eq!(source["kind"], "feed");
    assert_eq!(source["title"], "Local Radio Hour");
    assert_eq!(source["song_count"], 2);
    assert_eq!(app.titles("source=remote").await, ["Pilot", "Second"]);
    let id = source["id"].as_str().expect("id");
    assert_eq!(app.titles(&format!("source={id}")).await.len(), 2);
    let page = app.get_json("songs?q=pilot").await;
    let song: Value = app
        .admin_get(&format!("songs/{}", page["items"][0]["id"].as_str().expect("id")))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(song["source_kind"], "remote");
    assert_eq!(song["url"], server.url("/media/ep1.mp3"));
    assert_eq!(song["album"]["title"], "Local Radio Hour");
    assert_eq!(song["artist"], "Ann Host");
    assert_eq!(song["duration_ms"], 600_000);
    assert!(song["published_at"].is_string());
}

#[tokio::test]
async fn refreshes_are_conditional_and_failures_keep_the_episodes() {
    let server = FixtureServer::start().await;
    server.set(
        "/feed.xml",
        Route::ok("application/rss+xml", feed(&[("Pilot", "ep1.mp3")])).with_etag("\"v1\""),
    );
    let app = app_with(&server).await;
    let source = added(&app, &server.url("/feed.xml")).await;
    let id = source["id"].as_str().expect("id");

    let unchanged = refresh(&app, id).await;
    assert!(unchanged["last_error"].is_null());
    let seen = server.seen("/feed.xml");
    assert_eq!(
        seen.last()
            .expect("a request")
            .headers
            .get("if-none-match")
            .map(String::as_str),
        Some("\"v1\"")
    );

    server.set(
        "/feed.xml",
        Route::ok("application/rss+xml", "<rss><channel><title>broken"),
    );
    let broken = refresh(&app, id).await;
    assert!(
        broken["last_error"].as_str().expect("an error").contains("feed"),
        "{broken}"
    );
    assert_eq!(app.titles("source=remote").await, ["Pilot"]);

    server.set(
        "/feed.xml",
        Route::ok(
            "application/rss+xml",
            format!("{}<!--{}-->", feed(&[]), "x".repeat(70_000)),
        ),
    );
    let too_large = refresh(&app, id).await;
    assert!(
        too_large["last_error"]
            .as_str()
            .expect("an error")
            .contains("larger"),
        "{too_large}"
    );
    assert_eq!(app.titles("source=remote").await, ["Pilot"]);

    server.set(
        "/feed.xml",
        Route::ok(
            "application/rss+xml",
            feed(&[("Pilot", "ep1.mp3"), ("New", "ep2.mp3")]),
        ),
    );
    let fixed = refresh(&app, id).await;
    assert!(fixed["last_error"].is_null(), "{fixed}");
    assert_eq!(app.titles("source=remote").await, ["New", "Pilot"]);
}

#[tokio::test]
async fn m3u_and_pls_playlists_list_their_entries() {
    let server = FixtureServer::start().await;
    let m3u = "#EXTM3U\n#EXTINF:61,Band - Opening\n/a.mp3\n#EXTINF:-1,Live stream\nhttp://127.0.0.1:1/live\n";
    server.set("/list.m3u", Route::ok("audio/x-mpegurl", m3u));
    server.set(
        "/list.pls",
        Route::ok(
            "audio/x-scpls",
            "[playlist]\nFile1=/b.ogg\nTitle1=Closing\nLength1=30\n",
        ),
    );
    let app = app_with(&server).await;
    let m3u_source = added(&app, &server.url("/list.m3u")).await;
    assert_eq!(m3u_source["kind"], "playlist");
    added(&app, &server.url("/list.pls")).await;
    assert_eq!(
        app.titles("source=remote").await,
        ["Closing", "Live stream", "Opening"]
    );
    let page = app.get_json("songs?q=opening").await;
    assert_eq!(page["items"][0]["artist"], "Band");
    assert_eq!(page["items"][0]["duration_ms"], 61_000);

    server.set("/list.m3u", Route::ok("audio/x-mpegurl", "#EXTM3U\n/a.mp3\n"));
    refresh(&app, m3u_source["id"].as_str().expect("id")).await;
    assert_eq!(app.titles("source=remote").await, ["a.mp3", "Closing"]);
}

/// The bytes of an MP3 by "Net Band" on "Online", `seconds` long.
fn net_band_tune(title: &'static str, seconds: f32) -> Vec<u8> {
    let dir = tempfile::TempDir::new().expect("dir");
    let tags = Tags {
        seconds,
        ..Tags::song(title, "Net Band", "Online")
    };
    std::fs::read(make(dir.path(), "tune.mp3", &tags)).expect("read")
}

#[tokio::test]
async fn a_direct_audio_url_is_read_from_its_head() {
    let server = FixtureServer::start().await;
    let bytes = net_band_tune("Remote tune", 2.0);
    server.set("/track.mp3", Route::ok("audio/mpeg", bytes));
    let app = app_with(&server).await;
    let source = added(&app, &server.url("/track.mp3")).await;
    assert_eq!(source["kind"], "audio");
    let page = app.get_json("songs?source=remote").await;
    let song = &page["items"][0];
    assert_eq!(song["title"], "Remote tune");
    assert_eq!(song["artist"], "Net Band");
    let detail = app
        .get_json(&format!("songs/{}", song["id"].as_str().expect("id")))
        .await;
    assert_eq!(detail["content_type"], "audio/mpeg");
    assert_eq!(detail["file_name"], "track.mp3");
}

#[tokio::test]
async fn a_large_audio_url_is_asked_for_its_head_only() {
    let server = FixtureServer::start().await;
    let bytes = net_band_tune("Long tune", 40.0);
    assert!(bytes.len() > 256 * 1024, "the file must outgrow the head");
    server.set("/long.mp3", Route::ok("audio/mpeg", bytes.clone()));
    let app = app_with(&server).await;
    added(&app, &server.url("/long.mp3")).await;

    let requests = server.seen("/long.mp3");
    let range = requests[0].headers.get("range").map(String::as_str);
    assert_eq!(range, Some("bytes=0-262143"));
    let page = app.get_json("songs?source=remote").await;
    let song = &page["items"][0];
    assert_eq!(song["title"], "Long tune");
    let detail = app
        .get_json(&format!("songs/{}", song["id"].as_str().expect("id")))
        .await;
    // The size is the whole file's, from Content-Range, not the head's.
    assert_eq!(detail["size_bytes"], bytes.len());
}

#[tokio::test]
async fn refused_and_unsupported_urls_are_422s_naming_why() {
    let server = FixtureServer::start().await;
    server.set(
        "/page.html",
        Route::ok("text/html", "<html><body>hello</body></html>"),
    );
    server.set(
        "/bad-feed.xml",
        Route::ok("application/rss+xml", "<rss><channel>"),
    );
    server.set(
        "/to-metadata",
        Route::redirect("http://169.254.169.254/latest/meta-data/"),
    );
    let app = app_with(&server).await;
    let cases = [
        ("ftp://example.com/a.mp3".to_owned(), "invalid_source_url"),
        ("not a url".to_owned(), "invalid_source_url"),
        (
            "http://169.254.169.254/latest/meta-data/".to_owned(),
            "source_refused",
        ),
        ("http://[::ffff:127.0.0.1]:9/".to_owned(), "source_refused"),
        (
            format!("http://127.0.0.1:{}/page.html", server.port.wrapping_add(1)),
            "source_refused",
        ),
        (server.url("/to-metadata"), "source_refused"),
        (server.url("/page.html"), "unsupported_source"),
        (server.url("/bad-feed.xml"), "invalid_feed"),
        (server.url("/missing"), "source_unreachable"),
    ];
    for (url, code) in cases {
        let response = add(&app, &url).await;
        let message = TestApp::expect_error(response, StatusCode::UNPROCESSABLE_ENTITY, code).await;
        assert!(!message.is_empty(), "{url}");
    }
    let sources: Value = app.admin_get("sources").await.json().await.expect("json");
    assert_eq!(sources, json!([]));
}

#[tokio::test]
async fn sources_are_admin_only_unique_and_deletable() {
    let server = FixtureServer::start().await;
    server.set(
        "/feed.xml",
        Route::ok("application/rss+xml", feed(&[("Pilot", "ep1.mp3")])),
    );
    let app = app_with(&server).await;
    let response = app
        .client
        .post(app.url("sources"))
        .json(&json!({"url": server.url("/feed.xml")}))
        .send()
        .await
        .expect("sent");
    TestApp::expect_error(response, StatusCode::FORBIDDEN, "forbidden").await;
    let source = added(&app, &server.url("/feed.xml")).await;
    let again = add(&app, &server.url("/feed.xml")).await;
    TestApp::expect_error(again, StatusCode::CONFLICT, "source_exists").await;
    let id = source["id"].as_str().expect("id");
    let listed: Value = app.admin_get("sources").await.json().await.expect("json");
    assert_eq!(listed[0]["id"], id);
    let deleted = delete_source(&app, id).await;
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    assert!(app.titles("").await.is_empty());
    assert!(
        app.get_json("albums").await["items"]
            .as_array()
            .expect("items")
            .is_empty()
    );
    let missing = delete_source(&app, id).await;
    TestApp::expect_error(missing, StatusCode::NOT_FOUND, "not_found").await;
}
