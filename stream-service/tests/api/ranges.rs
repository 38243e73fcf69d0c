//! `Range`: 206, 416, malformed headers ignored, `If-Range`.

use reqwest::StatusCode;

use crate::helpers::{TestApp, pattern, spawn_app};

const SIZE: usize = 100_000;

async fn app_with_song() -> (TestApp, String, Vec<u8>) {
    let app = spawn_app().await;
    let bytes = pattern(SIZE);
    let id = app.add_file("song.mp3", &bytes, None).await;
    let url = app.song_url(id);
    (app, url, bytes)
}

#[tokio::test]
async fn a_closed_range_is_206_with_its_content_range() {
    let (app, url, bytes) = app_with_song().await;
    let response = app.get(&url, &[("range", "bytes=100-199")]).await;
    assert_eq!(response.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(response.headers()["content-range"], "bytes 100-199/100000");
    assert_eq!(response.headers()["content-length"], "100");
    assert_eq!(response.bytes().await.expect("body").as_ref(), &bytes[100..200]);
}

/// The first chunk is read with the open, the rest streamed after it: a
/// range over several chunks from an odd offset arrives whole and in order.
#[tokio::test]
async fn a_range_over_several_chunks_arrives_whole() {
    let app = spawn_app().await;
    let bytes = pattern(600_000);
    let url = app.song_url(app.add_file("long.flac", &bytes, None).await);
    let response = app.get(&url, &[("range", "bytes=1001-400000")]).await;
    assert_eq!(response.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(response.headers()["content-range"], "bytes 1001-400000/600000");
    assert_eq!(
        response.bytes().await.expect("body").as_ref(),
        &bytes[1001..=400_000]
    );
    let head = app.client.head(&url).send().await.expect("sent");
    assert_eq!(head.headers()["content-length"], "600000");
    assert!(head.bytes().await.expect("empty").is_empty());
}

#[tokio::test]
async fn open_and_suffix_ranges_reach_the_end() {
    let (app, url, bytes) = app_with_song().await;
    let response = app.get(&url, &[("range", "bytes=99000-")]).await;
    assert_eq!(response.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(response.headers()["content-range"], "bytes 99000-99999/100000");
    assert_eq!(response.bytes().await.expect("body").as_ref(), &bytes[99_000..]);

    let response = app.get(&url, &[("range", "bytes=-10")]).await;
    assert_eq!(response.headers()["content-range"], "bytes 99990-99999/100000");
    assert_eq!(response.bytes().await.expect("body").as_ref(), &bytes[99_990..]);
}

#[tokio::test]
async fn a_range_past_the_end_is_416_with_the_size() {
    let (app, url, _) = app_with_song().await;
    let response = app.get(&url, &[("range", "bytes=100000-")]).await;
    assert_eq!(response.status(), StatusCode::RANGE_NOT_SATISFIABLE);
    assert_eq!(response.headers()["content-range"], "bytes */100000");
    let body: serde_json::Value = response.json().await.expect("json");
    assert_eq!(body["error"]["code"], "range_not_satisfiable");
}

#[tokio::test]
async fn a_malformed_or_multiple_range_is_ignored() {
    let (app, url, bytes) = app_with_song().await;
    for header in ["bytes=abc", "bytes=20-10", "pages=1-2", "bytes=0-1,5-6"] {
        let response = app.get(&url, &[("range", header)]).await;
        assert_eq!(response.status(), StatusCode::OK, "{header}");
        assert_eq!(
            response.bytes().await.expect("body").len(),
            bytes.len(),
            "{header}"
        );
    }
}

#[tokio::test]
async fn if_range_with_the_current_etag_keeps_the_range_and_a_stale_one_sends_all() {
    let (app, url, bytes) = app_with_song().await;
    let first = app.get(&url, &[]).await;
    let etag = first.headers()["etag"].to_str().expect("ascii").to_owned();
    let last_modified = first.headers()["last-modified"]
        .to_str()
        .expect("ascii")
        .to_owned();

    let response = app
        .get(&url, &[("range", "bytes=0-9"), ("if-range", &etag)])
        .await;
    assert_eq!(response.status(), StatusCode::PARTIAL_CONTENT);
    let response = app
        .get(&url, &[("range", "bytes=0-9"), ("if-range", &last_modified)])
        .await;
    assert_eq!(response.status(), StatusCode::PARTIAL_CONTENT);

    let response = app
        .get(&url, &[("range", "bytes=0-9"), ("if-range", "\"stale\"")])
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.bytes().await.expect("body").len(), bytes.len());
}

#[tokio::test]
async fn a_rewritten_file_gets_a_new_etag() {
    let (app, url, _) = app_with_song().await;
    let before = app.get(&url, &[]).await.headers()["etag"].clone();
    std::fs::write(app.music.join("song.mp3"), pattern(SIZE + 1)).expect("rewrites");
    let after = app.get(&url, &[]).await.headers()["etag"].clone();
    assert_ne!(before, after);
}
