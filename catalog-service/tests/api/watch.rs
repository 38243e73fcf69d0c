//! Live changes picked up by the file-system watcher, without a scan.

use std::time::{Duration, Instant};

use crate::{
    audio::{Tags, make},
    helpers::{Options, TestApp, spawn_app_with_music_and},
};

async fn app() -> TestApp {
    let mut options = Options::default();
    options.raw.watch = true;
    options.raw.watch_debounce_ms = 100;
    let app = spawn_app_with_music_and(options, |dir| {
        make(dir, "kept.mp3", &Tags::song("Kept", "Artist", "Album"));
    })
    .await;
    // The watcher starts right after the migrations; give it a moment to register.
    tokio::time::sleep(Duration::from_millis(200)).await;
    app
}

async fn wait_for_titles(app: &TestApp, expected: &[&str]) -> Duration {
    let started = Instant::now();
    loop {
        let titles = app.titles("").await;
        if titles == expected {
            return started.elapsed();
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "still {titles:?}, expected {expected:?}"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

#[tokio::test]
async fn added_changed_moved_and_deleted_files_are_picked_up() {
    let app = app().await;
    let dir = app.music.path().to_owned();
    // Written elsewhere then moved in, as file managers do.
    let staging = tempfile::TempDir::new().expect("dir");
    make(
        staging.path(),
        "new.flac",
        &Tags::song("Added live", "Artist", "Album"),
    );
    std::fs::rename(staging.path().join("new.flac"), dir.join("new.flac")).expect("move in");
    let took = wait_for_titles(&app, &["Added live", "Kept"]).await;
    assert!(took < Duration::from_secs(2), "picked up in {took:?}");

    make(&dir, "new.flac", &Tags::song("Changed live", "Artist", "Album"));
    wait_for_titles(&app, &["Changed live", "Kept"]).await;

    std::fs::create_dir(dir.join("sub")).expect("mkdir");
    std::fs::rename(dir.join("new.flac"), dir.join("sub/moved.flac")).expect("rename");
    let started = Instant::now();
    loop {
        let page = app.get_json("songs?q=changed").await;
        let items = page["items"].as_array().expect("items");
        let ids: Vec<&str> = items
            .iter()
            .map(|song| song["id"].as_str().expect("id"))
            .collect();
        if let [id] = ids[..] {
            // The move replaces the song: the id listed a moment ago may be
            // gone by now, which is not yet the answer either.
            let response = app.get(&format!("songs/{id}")).await;
            if response.status() == reqwest::StatusCode::OK {
                let song: serde_json::Value = response.json().await.expect("JSON body");
                if song["file_name"] == "moved.flac" {
                    break;
                }
            }
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the move was not seen: {page}"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    wait_for_titles(&app, &["Changed live", "Kept"]).await;

    std::fs::remove_file(dir.join("kept.mp3")).expect("remove");
    wait_for_titles(&app, &["Changed live"]).await;
    std::fs::remove_dir_all(dir.join("sub")).expect("remove dir");
    wait_for_titles(&app, &[]).await;
}
