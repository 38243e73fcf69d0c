//! Files the catalog reads stay inside the music folders: symbolic links
//! planted in a music folder that lead elsewhere are neither followed nor
//! served.

use std::os::unix::fs::symlink;

use reqwest::StatusCode;
use serde_json::Value;
use tempfile::TempDir;

use crate::{
    audio::{Tags, make, png},
    helpers::{TestApp, spawn_app_with_music},
};

const SECRET: &[u8] = b"TONEARM_INTERNAL_TOKEN=outside-secret-value";

/// A folder outside the music folders holding a secret: a real image (so
/// only confinement, not the image check, keeps it in) followed by text.
fn outside() -> TempDir {
    let dir = TempDir::new().expect("a temp dir");
    let path = dir.path().join("secret.png");
    png(&path, [1, 2, 3]);
    let mut bytes = std::fs::read(&path).expect("the image");
    bytes.extend_from_slice(SECRET);
    std::fs::write(dir.path().join("secret.jpg"), bytes).expect("secret");
    dir
}

async fn album_id(app: &TestApp) -> String {
    let albums = app.get_json("albums").await;
    albums["items"][0]["id"].as_str().expect("an album").to_owned()
}

async fn scan_error_kinds(app: &TestApp) -> Vec<String> {
    let errors: Value = app.admin_get("scan-errors").await.json().await.expect("json");
    errors
        .as_array()
        .expect("items")
        .iter()
        .map(|error| error["kind"].as_str().expect("a kind").to_owned())
        .collect()
}

fn assert_no_secret(bytes: &[u8]) {
    assert!(
        !bytes.windows(SECRET.len()).any(|window| window == SECRET),
        "the outside file was served"
    );
    assert!(
        !bytes.windows(5).any(|window| window == b"PATH="),
        "the environment was served"
    );
}

#[tokio::test]
async fn a_folder_cover_linking_outside_the_music_folders_is_not_served() {
    let secret = outside();
    let target = secret.path().join("secret.jpg");
    let app = spawn_app_with_music(|dir| {
        make(dir, "album/01.ogg", &Tags::song("One", "A", "Linked cover"));
        symlink(&target, dir.join("album/cover.jpg")).expect("plant");
        make(dir, "env/01.ogg", &Tags::song("Two", "B", "Environ cover"));
        symlink("/proc/self/environ", dir.join("env/folder.jpg")).expect("plant");
    })
    .await;
    let albums = app.get_json("albums").await;
    for album in albums["items"].as_array().expect("items") {
        assert!(album["cover_url"].is_null(), "{album}");
        let id = album["id"].as_str().expect("id");
        for size in ["", "?size=64"] {
            let response = app.get(&format!("albums/{id}/cover{size}")).await;
            assert_eq!(response.status(), StatusCode::NOT_FOUND);
            assert_no_secret(&response.bytes().await.expect("body"));
        }
    }
    assert!(
        scan_error_kinds(&app)
            .await
            .contains(&"outside_music_folders".to_owned())
    );
}

#[tokio::test]
async fn a_folder_cover_swapped_for_a_link_after_the_scan_is_not_served() {
    let secret = outside();
    let app = spawn_app_with_music(|dir| {
        make(dir, "album/01.ogg", &Tags::song("One", "A", "Swapped cover"));
        png(&dir.join("album/cover.png"), [10, 200, 10]);
    })
    .await;
    let id = album_id(&app).await;
    let before = app.get(&format!("albums/{id}/cover")).await;
    assert_eq!(before.status(), StatusCode::OK);
    let cover = app.music.path().join("album/cover.png");
    for target in [
        secret.path().join("secret.jpg").as_path(),
        "/proc/self/environ".as_ref(),
    ] {
        std::fs::remove_file(&cover).expect("remove");
        symlink(target, &cover).expect("plant");
        let response = app.get(&format!("albums/{id}/cover")).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{}", target.display());
        assert_no_secret(&response.bytes().await.expect("body"));
    }
}

#[tokio::test]
async fn songs_behind_a_folder_link_leaving_the_music_folders_are_not_listed() {
    let elsewhere = TempDir::new().expect("a temp dir");
    make(
        elsewhere.path(),
        "escaped.ogg",
        &Tags::song("Escaped", "X", "Elsewhere"),
    );
    let app = spawn_app_with_music(|dir| {
        make(dir, "real/inside.ogg", &Tags::song("Inside", "Y", "Here"));
        symlink(elsewhere.path(), dir.join("linked")).expect("plant");
        symlink(dir.join("real"), dir.join("alias")).expect("an inside link");
    })
    .await;
    let titles = app.titles("").await;
    assert!(!titles.contains(&"Escaped".to_owned()), "{titles:?}");
    assert!(titles.contains(&"Inside".to_owned()), "{titles:?}");
    assert!(
        scan_error_kinds(&app)
            .await
            .contains(&"outside_music_folders".to_owned())
    );
}
