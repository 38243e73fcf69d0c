//! Remote origins: relayed through the SSRF-safe fetcher, failures as 502.

use std::{sync::Arc, time::Duration};

use reqwest::StatusCode;

use crate::{
    fixtures::{Behaviour, Fixture, Reply},
    helpers::{Options, TestApp, pattern, spawn_app_with},
};

const SIZE: usize = 50_000;

/// An origin that serves `pattern(SIZE)` with ranges and validators.
fn good_origin() -> Behaviour {
    Arc::new(|seen| {
        let bytes = pattern(SIZE);
        let common = "content-type: audio/mpeg\r\naccept-ranges: bytes\r\netag: \"v1\"";
        if seen.header("if-none-match") == Some("\"v1\"") {
            return Reply::Full {
                head: format!("HTTP/1.1 304 Not Modified\r\n{common}"),
                body: Vec::new(),
            };
        }
        let range = seen
            .header("range")
            .and_then(|range| range.strip_prefix("bytes="));
        match range.and_then(|range| range.split_once('-')) {
            Some((first, last)) => {
                let (first, last): (usize, usize) =
                    (first.parse().expect("first"), last.parse().expect("last"));
                Reply::Full {
                    head: format!(
                        "HTTP/1.1 206 Partial Content\r\n{common}\r\ncontent-range: bytes {first}-{last}/{SIZE}\r\ncontent-length: {}",
                        last - first + 1
                    ),
                    body: bytes[first..=last].to_vec(),
                }
            }
            None => Reply::Full {
                head: format!("HTTP/1.1 200 OK\r\n{common}\r\ncontent-length: {SIZE}"),
                body: bytes,
            },
        }
    })
}

/// A service allowed to fetch from `origin`, and the URL of a song there.
async fn app_for(origin: &Fixture, timeout_ms: u64) -> (TestApp, String) {
    let host = origin.base.trim_start_matches("http://").to_owned();
    let app = spawn_app_with(Options {
        allow_hosts: vec![host],
        origin_timeout_ms: timeout_ms,
        ..Options::default()
    })
    .await;
    let id = app
        .add_remote(
            &format!("{}/episode.mp3?token=secret", origin.base),
            "episode.mp3",
        )
        .await;
    let url = app.song_url(id);
    (app, url)
}

fn error_code_and_message(body: &serde_json::Value) -> (String, String) {
    let text = |key: &str| body["error"][key].as_str().unwrap_or_default().to_owned();
    (text("code"), text("message"))
}

#[tokio::test]
async fn a_remote_song_is_relayed_with_its_type_length_and_validators() {
    let origin = Fixture::start(good_origin()).await;
    let (app, url) = app_for(&origin, 5_000).await;
    let response = app.get(&url, &[]).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "audio/mpeg");
    assert_eq!(response.headers()["content-length"], SIZE.to_string().as_str());
    assert_eq!(response.headers()["accept-ranges"], "bytes");
    assert_eq!(response.headers()["etag"], "\"v1\"");
    assert_eq!(
        response.bytes().await.expect("body").as_ref(),
        pattern(SIZE).as_slice()
    );
}

#[tokio::test]
async fn the_client_range_is_forwarded_and_the_206_relayed() {
    let origin = Fixture::start(good_origin()).await;
    let (app, url) = app_for(&origin, 5_000).await;
    let response = app.get(&url, &[("range", "bytes=100-199")]).await;
    assert_eq!(response.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(response.headers()["content-range"], "bytes 100-199/50000");
    assert_eq!(
        response.bytes().await.expect("body").as_ref(),
        &pattern(SIZE)[100..200]
    );
    let seen = origin.requests();
    assert_eq!(
        seen.last().and_then(|seen| seen.header("range")),
        Some("bytes=100-199")
    );
}

#[tokio::test]
async fn conditions_are_forwarded_and_a_304_relayed() {
    let origin = Fixture::start(good_origin()).await;
    let (app, url) = app_for(&origin, 5_000).await;
    let response = app.get(&url, &[("if-none-match", "\"v1\"")]).await;
    assert_eq!(response.status(), StatusCode::NOT_MODIFIED);
}

#[tokio::test]
async fn an_origin_5xx_is_502_naming_its_status() {
    let origin = Fixture::start(Arc::new(|_| Reply::Full {
        head: "HTTP/1.1 503 Service Unavailable\r\ncontent-length: 0".into(),
        body: Vec::new(),
    }))
    .await;
    let (app, url) = app_for(&origin, 5_000).await;
    let response = app.get(&url, &[]).await;
    assert_eq!(response.status(), StatusCode::BAD_GATEWAY);
    let (code, message) = error_code_and_message(&response.json().await.expect("json"));
    assert_eq!(code, "origin_error");
    assert!(message.contains("503"), "{message}");
    assert!(!message.contains("secret"), "the URL does not leak: {message}");
    assert!(
        app.metric("tonearm_stream_origin_errors_total{kind=\"status\"")
            .await
            >= 1.0
    );
}

#[tokio::test]
async fn a_silent_origin_is_502_when_the_timeout_passes_not_a_hang() {
    let origin = Fixture::start(Arc::new(|_| Reply::Silent(Duration::from_secs(30)))).await;
    let (app, url) = app_for(&origin, 300).await;
    let started = std::time::Instant::now();
    let response = app.get(&url, &[]).await;
    assert_eq!(response.status(), StatusCode::BAD_GATEWAY);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    let (_, message) = error_code_and_message(&response.json().await.expect("json"));
    assert!(message.contains("in time"), "{message}");
}

#[tokio::test]
async fn a_refused_connection_is_502() {
    let app = spawn_app_with(Options {
        allow_hosts: vec!["127.0.0.1".into()],
        ..Options::default()
    })
    .await;
    // Bind then drop, so nothing listens on that port.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let id = app
        .add_remote(&format!("http://127.0.0.1:{port}/a.mp3"), "a.mp3")
        .await;
    assert_eq!(
        app.get(&app.song_url(id), &[]).await.status(),
        StatusCode::BAD_GATEWAY
    );
}

#[tokio::test]
async fn a_redirect_to_a_loopback_address_is_refused() {
    let origin = Fixture::start(Arc::new(|seen| {
        let port = seen
            .header("host")
            .and_then(|host| host.rsplit(':').next())
            .unwrap_or("80")
            .to_owned();
        Reply::Full {
            head: format!(
                "HTTP/1.1 302 Found\r\nlocation: http://localhost:{port}/private\r\ncontent-length: 0"
            ),
            body: Vec::new(),
        }
    }))
    .await;
    let (app, url) = app_for(&origin, 5_000).await;
    let response = app.get(&url, &[]).await;
    assert_eq!(response.status(), StatusCode::BAD_GATEWAY);
    let (_, message) = error_code_and_message(&response.json().await.expect("json"));
    assert!(message.contains("not allowed"), "{message}");
    assert!(!origin.requests().iter().any(|seen| seen.path == "/private"));
}

#[tokio::test]
async fn an_origin_not_allow_listed_is_refused() {
    let origin = Fixture::start(good_origin()).await;
    let app = spawn_app_with(Options::default()).await;
    let id = app.add_remote(&format!("{}/a.mp3", origin.base), "a.mp3").await;
    assert_eq!(
        app.get(&app.song_url(id), &[]).await.status(),
        StatusCode::BAD_GATEWAY
    );
    assert!(
        origin.requests().is_empty(),
        "no request reached the private address"
    );
}

#[tokio::test]
async fn an_origin_cut_off_mid_body_ends_the_response_short() {
    let origin = Fixture::start(Arc::new(|_| Reply::CutOff {
        head: format!("HTTP/1.1 200 OK\r\ncontent-type: audio/mpeg\r\ncontent-length: {SIZE}"),
        body: pattern(1_000),
    }))
    .await;
    let (app, url) = app_for(&origin, 5_000).await;
    let response = app.get(&url, &[]).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.bytes().await.is_err(),
        "the client sees an incomplete body, not a short file"
    );
}

#[tokio::test]
async fn a_remote_song_can_be_transcoded_from_its_stream() {
    let audio = Arc::new(std::fs::read(crate::helpers::audio_fixture()).expect("reads the tone"));
    let origin = Fixture::start(Arc::new(move |_| Reply::Full {
        head: format!(
            "HTTP/1.1 200 OK\r\ncontent-type: audio/mpeg\r\ncontent-length: {}",
            audio.len()
        ),
        body: audio.to_vec(),
    }))
    .await;
    let (app, url) = app_for(&origin, 5_000).await;
    let mut response = app.get(&format!("{url}?format=opus&offset=590"), &[]).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "audio/ogg; codecs=opus");
    let first = response.chunk().await.expect("chunk").expect("some bytes");
    assert!(first.starts_with(b"OggS"));
}

#[tokio::test]
async fn transcoding_a_failing_origin_is_502() {
    let origin = Fixture::start(Arc::new(|_| Reply::Full {
        head: "HTTP/1.1 500 Internal Server Error\r\ncontent-length: 0".into(),
        body: Vec::new(),
    }))
    .await;
    let (app, url) = app_for(&origin, 5_000).await;
    let response = app.get(&format!("{url}?format=mp3"), &[]).await;
    assert_eq!(response.status(), StatusCode::BAD_GATEWAY);
}

#[tokio::test]
async fn an_origin_that_stalls_mid_body_ends_the_response_within_the_timeout() {
    let origin = Fixture::start(Arc::new(|_| Reply::Stall {
        head: format!("HTTP/1.1 200 OK\r\ncontent-type: audio/mpeg\r\ncontent-length: {SIZE}"),
        body: pattern(1_000),
        pause: Duration::from_secs(30),
    }))
    .await;
    let (app, url) = app_for(&origin, 300).await;
    let started = std::time::Instant::now();
    let response = app.get(&url, &[]).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.bytes().await.is_err(), "the body is cut, not padded");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "no hang: {:?}",
        started.elapsed()
    );
}
