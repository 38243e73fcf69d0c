//! `If-None-Match` and `If-Modified-Since`.

use reqwest::StatusCode;

use crate::helpers::{pattern, spawn_app};

#[tokio::test]
async fn the_current_etag_in_if_none_match_is_304_without_a_body() {
    let app = spawn_app().await;
    let id = app.add_file("song.mp3", &pattern(1000), None).await;
    let url = app.song_url(id);
    let etag = app.get(&url, &[]).await.headers()["etag"]
        .to_str()
        .expect("ascii")
        .to_owned();

    let response = app
        .get(&url, &[("if-none-match", &format!("\"other\", {etag}"))])
        .await;
    assert_eq!(response.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(response.headers()["etag"].to_str().expect("ascii"), etag);
    assert!(response.bytes().await.expect("body").is_empty());

    let response = app.get(&url, &[("if-none-match", "\"other\"")]).await;
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn if_modified_since_is_304_unless_the_file_is_newer() {
    let app = spawn_app().await;
    let id = app.add_file("song.mp3", &pattern(1000), None).await;
    let url = app.song_url(id);
    let last_modified = app.get(&url, &[]).await.headers()["last-modified"]
        .to_str()
        .expect("ascii")
        .to_owned();

    let response = app.get(&url, &[("if-modified-since", &last_modified)]).await;
    assert_eq!(response.status(), StatusCode::NOT_MODIFIED);
    let response = app
        .get(&url, &[("if-modified-since", "Thu, 01 Jan 2015 00:00:00 GMT")])
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    // If-None-Match decides alone when both are present.
    let response = app
        .get(
            &url,
            &[
                ("if-modified-since", &last_modified),
                ("if-none-match", "\"other\""),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
}
