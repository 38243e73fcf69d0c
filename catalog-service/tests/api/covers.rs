//! Cover art: embedded, folder images, resized and cached with ETags.

use reqwest::{StatusCode, header};

use crate::{
    audio::{Tags, make, png},
    helpers::{TestApp, spawn_app_with_music},
};

async fn id_of(app: &TestApp, title: &str) -> String {
    let page = app.get_json(&format!("songs?q={title}")).await;
    page["items"][0]["id"].as_str().expect("a song").to_owned()
}

#[tokio::test]
async fn embedded_covers_are_served_resized_and_revalidated() {
    let app = spawn_app_with_music(|dir| {
        make(dir, "a.flac", &Tags::covered("Covered", "A", "With cover"));
        make(dir, "b/plain.mp3", &Tags::song("Plain", "B", "Without"));
    })
    .await;
    let id = id_of(&app, "Covered").await;
    let song = app.get_json(&format!("songs/{id}")).await;
    assert_eq!(song["cover_url"], format!("/api/catalog/songs/{id}/cover"));

    let original = app.get(&format!("songs/{id}/cover")).await;
    assert_eq!(original.status(), StatusCode::OK);
    assert_eq!(original.headers()[header::CONTENT_TYPE], "image/png");
    let bytes = original.bytes().await.expect("bytes");
    assert_eq!(image::load_from_memory(&bytes).expect("an image").width(), 64);

    let small = app.get(&format!("songs/{id}/cover?size=32")).await;
    assert_eq!(small.status(), StatusCode::OK);
    assert_eq!(small.headers()[header::CONTENT_TYPE], "image/jpeg");
    assert!(
        small.headers()[header::CACHE_CONTROL]
            .to_str()
            .expect("text")
            .contains("max-age")
    );
    let etag = small.headers()[header::ETAG].clone();
    let resized = image::load_from_memory(&small.bytes().await.expect("bytes")).expect("a JPEG");
    // 32 is answered at the smallest step, 64.
    assert_eq!((resized.width(), resized.height()), (64, 64));

    let again = app
        .client
        .get(app.url(&format!("songs/{id}/cover?size=60")))
        .header(header::IF_NONE_MATCH, etag)
        .send()
        .await
        .expect("sent");
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);

    let plain = id_of(&app, "Plain").await;
    let response = app.get(&format!("songs/{plain}/cover")).await;
    TestApp::expect_error(response, StatusCode::NOT_FOUND, "not_found").await;
    let response = app.get(&format!("songs/{id}/cover?size=0")).await;
    let message = TestApp::expect_error(response, StatusCode::BAD_REQUEST, "invalid_parameter").await;
    assert!(message.contains("`size`"), "{message}");
}

#[tokio::test]
async fn folder_images_cover_their_folder_and_album() {
    let app = spawn_app_with_music(|dir| {
        make(dir, "album/01.ogg", &Tags::song("Ogg one", "A", "Folder album"));
        make(dir, "album/02.ogg", &Tags::song("Ogg two", "A", "Folder album"));
        png(&dir.join("album/cover.png"), [10, 200, 10]);
    })
    .await;
    let albums = app.get_json("albums").await;
    let album = albums["items"][0]["id"].as_str().expect("album id").to_owned();
    assert_eq!(
        albums["items"][0]["cover_url"],
        format!("/api/catalog/albums/{album}/cover")
    );
    let response = app.get(&format!("albums/{album}/cover?size=16")).await;
    assert_eq!(response.status(), StatusCode::OK);
    let image = image::load_from_memory(&response.bytes().await.expect("bytes")).expect("an image");
    let pixel = image.to_rgb8().get_pixel(32, 32).0;
    assert!(
        pixel[1] > 150 && pixel[0] < 60,
        "the green folder image: {pixel:?}"
    );
}
