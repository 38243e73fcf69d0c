//! The song route: what lies beside it is refused, and requests are
//! counted by route, never by song.

use reqwest::StatusCode;

use crate::helpers::{pattern, spawn_app};

#[tokio::test]
async fn paths_beside_a_song_are_not_found() {
    let app = spawn_app().await;
    let id = app.add_file("song.mp3", &pattern(100), None).await;
    for path in [
        format!("/api/stream/songs/{id}/extra"),
        "/api/stream/songs".to_owned(),
        "/api/stream/songs/".to_owned(),
        format!("/api/stream/songsx/{id}"),
    ] {
        let response = app.get(&format!("{}{path}", app.base), &[]).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
        let body: serde_json::Value = response.json().await.expect("json");
        assert_eq!(body["error"]["code"], "route_not_found", "{path}");
    }
    let song = app.get(&app.song_url(id), &[]).await;
    assert_eq!(song.status(), StatusCode::OK);
    assert_eq!(
        song.bytes().await.expect("body").as_ref(),
        pattern(100).as_slice()
    );
    // Requests are counted by route, never by song: labels stay bounded.
    let metrics = common::test_support::metrics::scrape(&app.client, &app.base).await;
    assert!(
        !metrics.contains(&id.to_string()),
        "a song id became a metric label"
    );
    assert!(
        metrics.contains("route=\"/api/stream/songs/{id}\",status=\"200\""),
        "songs are counted under their route"
    );
}

#[tokio::test]
async fn a_song_cannot_be_written_to() {
    let app = spawn_app().await;
    let id = app.add_file("song.mp3", &pattern(100), None).await;
    for method in [
        reqwest::Method::POST,
        reqwest::Method::PUT,
        reqwest::Method::DELETE,
    ] {
        let response = app
            .client
            .request(method.clone(), app.song_url(id))
            .body("x")
            .send()
            .await
            .expect("sent");
        assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED, "{method}");
        assert_eq!(
            response.headers()["x-content-type-options"],
            "nosniff",
            "{method}"
        );
    }
    assert_eq!(
        std::fs::read(app.music.join("song.mp3")).expect("reads"),
        pattern(100)
    );
}
