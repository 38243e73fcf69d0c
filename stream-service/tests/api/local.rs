//! Resolving ids and serving local files whole.

use std::sync::Arc;

use reqwest::StatusCode;

use crate::{
    fixtures::{Fixture, Reply},
    helpers::{INTERNAL_TOKEN, Options, eventually, pattern, spawn_app, spawn_app_with},
};

#[tokio::test]
async fn a_malformed_id_is_400_invalid_id() {
    let app = spawn_app().await;
    let response = app.get(&app.song_url("not-a-uuid"), &[]).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let body: serde_json::Value = response.json().await.expect("json");
    assert_eq!(body["error"]["code"], "invalid_id");
}

#[tokio::test]
async fn an_unknown_id_is_404() {
    let app = spawn_app().await;
    let response = app.get(&app.song_url(uuid::Uuid::new_v4()), &[]).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let body: serde_json::Value = response.json().await.expect("json");
    assert_eq!(body["error"]["code"], "not_found");
}

#[tokio::test]
async fn a_local_song_is_served_whole_with_its_headers() {
    let app = spawn_app().await;
    let bytes = pattern(700_000);
    let id = app.add_file("01 - Intro.flac", &bytes, None).await;
    let response = app.get(&app.song_url(id), &[]).await;
    assert_eq!(response.status(), StatusCode::OK);
    let headers = response.headers().clone();
    assert_eq!(headers["accept-ranges"], "bytes");
    assert_eq!(headers["content-type"], "audio/flac");
    assert_eq!(headers["content-length"], "700000");
    assert!(headers.contains_key("etag") && headers.contains_key("last-modified"));
    assert!(!headers.contains_key("content-disposition"));
    assert_eq!(response.bytes().await.expect("body").as_ref(), bytes.as_slice());
}

#[tokio::test]
async fn the_catalog_content_type_wins_over_the_extension() {
    let app = spawn_app().await;
    let id = app.add_file("song.bin", &pattern(10), Some("audio/ogg")).await;
    let response = app.get(&app.song_url(id), &[]).await;
    assert_eq!(response.headers()["content-type"], "audio/ogg");
}

#[tokio::test]
async fn head_answers_the_headers_without_a_body() {
    let app = spawn_app().await;
    let id = app.add_file("a.mp3", &pattern(5000), None).await;
    let response = app.client.head(app.song_url(id)).send().await.expect("head");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-length"], "5000");
    assert_eq!(response.headers()["content-type"], "audio/mpeg");
    assert!(response.bytes().await.expect("body").is_empty());
}

#[tokio::test]
async fn download_names_the_file_in_content_disposition() {
    let app = spawn_app().await;
    let id = app.add_file("01 - Été \"live\".mp3", &pattern(10), None).await;
    let response = app.get(&format!("{}?download=1", app.song_url(id)), &[]).await;
    let disposition = response.headers()["content-disposition"]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert!(disposition.starts_with("attachment;"), "{disposition}");
    assert!(
        disposition.contains("filename=\"01 - _t_ _live_.mp3\""),
        "{disposition}"
    );
    assert!(
        disposition.contains("filename*=UTF-8''01%20%2D%20%C3%89t%C3%A9%20%22live%22.mp3"),
        "{disposition}"
    );
}

#[tokio::test]
async fn a_file_gone_since_the_scan_is_source_missing_and_the_catalog_is_told() {
    let catalog = Fixture::start(Arc::new(|_| Reply::Full {
        head: "HTTP/1.1 202 Accepted\r\ncontent-length: 0".into(),
        body: Vec::new(),
    }))
    .await;
    let app = spawn_app_with(Options {
        catalog_url: Some(catalog.base.clone()),
        ..Options::default()
    })
    .await;
    let id = app.add_file("gone.mp3", &pattern(10), None).await;
    std::fs::remove_file(app.music.join("gone.mp3")).expect("removes");
    let response = app.get(&app.song_url(id), &[]).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let body: serde_json::Value = response.json().await.expect("json");
    assert_eq!(body["error"]["code"], "source_missing");
    let expected = format!("/api/catalog/internal/songs/{id}/source-missing");
    let told = eventually(std::time::Duration::from_secs(5), || async {
        catalog
            .requests()
            .iter()
            .any(|seen| seen.method == "POST" && seen.path == expected)
    })
    .await;
    assert!(told, "the catalog received {:?}", catalog.requests());
    let notice = catalog.requests().into_iter().find(|seen| seen.path == expected);
    assert_eq!(
        notice.and_then(|seen| seen.header("x-tonearm-internal-token").map(str::to_owned)),
        Some(INTERNAL_TOKEN.to_owned()),
        "the notice carries the internal token"
    );
}

#[tokio::test]
async fn a_missing_file_is_404_even_when_the_catalog_is_down() {
    let app = spawn_app_with(Options {
        catalog_url: Some("http://127.0.0.1:9".into()),
        ..Options::default()
    })
    .await;
    let id = app
        .add_local(&app.music.join("never-there.mp3"), "x.mp3", None)
        .await;
    let response = app.get(&app.song_url(id), &[]).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_symlink_escaping_the_music_folders_is_refused() {
    let app = spawn_app().await;
    let secret = app.outside.join("secret.mp3");
    std::fs::write(&secret, b"not yours").expect("writes");
    let link = app.music.join("link.mp3");
    std::os::unix::fs::symlink(&secret, &link).expect("symlink");
    let id = app.add_local(&link, "link.mp3", None).await;
    let response = app.get(&app.song_url(id), &[]).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert!(!response.text().await.expect("text").contains("not yours"));
}

/// Descriptors of files served moments ago are kept for the next range
/// request; one whose path has since become a link to an outside file must
/// not be used, nor must the link be followed without the check.
#[tokio::test]
async fn a_song_swapped_for_a_link_outside_after_it_was_served_is_refused() {
    let app = spawn_app().await;
    let secret = app.outside.join("secret.mp3");
    std::fs::write(&secret, b"not yours").expect("writes");
    let id = app.add_file("song.mp3", &pattern(1000), None).await;
    let first = app.get(&app.song_url(id), &[("range", "bytes=0-99")]).await;
    assert_eq!(first.status(), StatusCode::PARTIAL_CONTENT);
    let song = app.music.join("song.mp3");
    std::fs::remove_file(&song).expect("removes");
    std::os::unix::fs::symlink(&secret, &song).expect("symlink");
    let response = app.get(&app.song_url(id), &[("range", "bytes=0-99")]).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert!(!response.text().await.expect("text").contains("not yours"));
}

/// A song replaced by another file (a rescan, a re-rip) is served anew at
/// once, never from the descriptor kept from the last request.
#[tokio::test]
async fn a_replaced_song_is_served_anew_at_once() {
    let app = spawn_app().await;
    let id = app.add_file("song.mp3", &pattern(1000), None).await;
    let before = app.get(&app.song_url(id), &[]).await;
    assert_eq!(before.bytes().await.expect("body").len(), 1000);
    let fresh = app.music.join("fresh.tmp");
    std::fs::write(&fresh, b"the new rip").expect("writes");
    std::fs::rename(&fresh, app.music.join("song.mp3")).expect("replaces");
    let after = app.get(&app.song_url(id), &[]).await;
    assert_eq!(after.bytes().await.expect("body").as_ref(), b"the new rip");
}

#[tokio::test]
async fn an_empty_file_is_an_empty_song() {
    let app = spawn_app().await;
    let id = app.add_file("empty.mp3", b"", None).await;
    for _ in 0..2 {
        let response = app.get(&app.song_url(id), &[]).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.headers()["content-length"], "0");
        assert!(response.bytes().await.expect("body").is_empty());
    }
}

#[tokio::test]
async fn a_row_pointing_outside_the_music_folders_is_refused() {
    let app = spawn_app().await;
    let id = app
        .add_local(std::path::Path::new("/etc/passwd"), "passwd", None)
        .await;
    assert_eq!(
        app.get(&app.song_url(id), &[]).await.status(),
        StatusCode::FORBIDDEN
    );
    let dotdot = app.music.join("../outside/x.mp3");
    std::fs::write(app.outside.join("x.mp3"), b"x").expect("writes");
    let id = app.add_local(&dotdot, "x.mp3", None).await;
    assert_eq!(
        app.get(&app.song_url(id), &[]).await.status(),
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn a_symlink_inside_the_music_folders_is_served() {
    let app = spawn_app().await;
    std::fs::create_dir_all(app.music.join("a")).expect("dir");
    std::fs::write(app.music.join("a/real.mp3"), pattern(100)).expect("writes");
    std::os::unix::fs::symlink(app.music.join("a/real.mp3"), app.music.join("alias.mp3")).expect("link");
    let id = app
        .add_local(&app.music.join("alias.mp3"), "alias.mp3", None)
        .await;
    let response = app.get(&app.song_url(id), &[]).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.bytes().await.expect("body").len(), 100);
}
