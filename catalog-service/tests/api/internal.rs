//! `POST internal/songs/{id}/source-missing` from the stream service.

use std::time::{Duration, Instant};

use reqwest::StatusCode;

use crate::{
    audio::{Tags, make},
    helpers::{TestApp, spawn_app_with_music},
    personal::song_id,
};

async fn report_missing(app: &TestApp, id: &str) -> reqwest::Response {
    app.client
        .post(app.url(&format!("internal/songs/{id}/source-missing")))
        .send()
        .await
        .expect("sent")
}

#[tokio::test]
async fn a_missing_file_is_checked_again_and_removed() {
    let app = spawn_app_with_music(|dir| {
        make(dir, "gone.mp3", &Tags::song("Gone", "Artist", "Album"));
        make(dir, "here.mp3", &Tags::song("Here", "Artist", "Album"));
    })
    .await;
    let (gone, here) = (song_id(&app, "Gone").await, song_id(&app, "Here").await);
    std::fs::remove_file(app.music.path().join("gone.mp3")).expect("remove");
    assert_eq!(report_missing(&app, &gone).await.status(), StatusCode::ACCEPTED);
    assert_eq!(report_missing(&app, &here).await.status(), StatusCode::ACCEPTED);
    let started = Instant::now();
    while app.get(&format!("songs/{gone}")).await.status() != StatusCode::NOT_FOUND {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the missing song stayed"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(
        app.get(&format!("songs/{here}")).await.status(),
        StatusCode::OK,
        "a present file stays"
    );

    let unknown = uuid::Uuid::new_v4().to_string();
    TestApp::expect_error(
        report_missing(&app, &unknown).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    TestApp::expect_error(
        report_missing(&app, "nope").await,
        StatusCode::BAD_REQUEST,
        "invalid_id",
    )
    .await;
}
