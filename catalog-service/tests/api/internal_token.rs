//! The catalog port reached directly, without the gateway: every request
//! must carry the internal token.

use reqwest::{Client, StatusCode};

use crate::{
    audio::{Tags, make},
    helpers::{TestApp, spawn_app_with_music},
};

async fn app_with_a_song() -> (TestApp, String) {
    let app = spawn_app_with_music(|dir| {
        make(dir, "kept.mp3", &Tags::song("Kept", "Artist", "Album"));
    })
    .await;
    let page = app.get_json("songs").await;
    let id = page["items"][0]["id"].as_str().expect("a song").to_owned();
    (app, id)
}

#[tokio::test]
async fn listing_songs_without_the_internal_token_is_refused() {
    let (app, _) = app_with_a_song().await;
    let response = Client::new().get(app.url("songs")).send().await.expect("sent");
    TestApp::expect_error(response, StatusCode::UNAUTHORIZED, "internal_token_required").await;
    let health = Client::new()
        .get(format!("{}/healthz", app.address))
        .send()
        .await
        .expect("sent");
    assert_eq!(health.status(), StatusCode::OK, "probes stay open");
}

#[tokio::test]
async fn a_source_missing_report_without_the_token_is_refused_and_removes_nothing() {
    let (app, id) = app_with_a_song().await;
    std::fs::remove_file(app.music.path().join("kept.mp3")).expect("remove");
    let response = Client::new()
        .post(app.url(&format!("internal/songs/{id}/source-missing")))
        .send()
        .await
        .expect("sent");
    TestApp::expect_error(response, StatusCode::UNAUTHORIZED, "internal_token_required").await;
    // A report that was taken would remove the song within milliseconds.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(
        app.get(&format!("songs/{id}")).await.status(),
        StatusCode::OK,
        "the song is still listed"
    );
}

#[tokio::test]
async fn a_forged_admin_role_without_the_token_is_refused() {
    let (app, _) = app_with_a_song().await;
    let forged = Client::new()
        .post(app.url("scans"))
        .header("x-tonearm-role", "admin")
        .send()
        .await
        .expect("sent");
    TestApp::expect_error(forged, StatusCode::UNAUTHORIZED, "forged_identity").await;
    let guessed = Client::new()
        .get(app.url("sources"))
        .header("x-tonearm-role", "admin")
        .header("x-tonearm-internal-token", "a-guess-at-the-token")
        .send()
        .await
        .expect("sent");
    TestApp::expect_error(guessed, StatusCode::UNAUTHORIZED, "forged_identity").await;
    assert!(!app.app.scanner.is_running(), "no scan was started");
}
