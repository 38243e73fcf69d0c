//! Scanning the music folder.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::Value;

use crate::{
    audio::{Tags, make},
    helpers::{TestApp, spawn_app_with_music},
};

fn full_tags(title: &'static str) -> Tags {
    Tags {
        album_artist: Some("Björk"),
        track: Some("3/12"),
        disc: Some("1/2"),
        date: Some("1997-09-22"),
        genre: Some("Electronic"),
        cover: true,
        ..Tags::song(title, "Björk", "Homogenic")
    }
}

async fn song_by_title(app: &TestApp, title: &str) -> Value {
    let page = app.get_json("songs?limit=500").await;
    let song = page["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|song| song["title"] == title)
        .unwrap_or_else(|| panic!("no song {title} in {page}"))
        .clone();
    app.get_json(&format!("songs/{}", song["id"].as_str().expect("id")))
        .await
}

#[tokio::test]
async fn every_format_is_read_with_its_tags_and_properties() {
    let app = spawn_app_with_music(|dir| {
        make(dir, "a/one.mp3", &full_tags("Hunter mp3"));
        make(dir, "a/two.flac", &full_tags("Hunter flac"));
        make(dir, "a/three.ogg", &full_tags("Hunter ogg"));
        make(dir, "a/four.m4a", &full_tags("Hunter m4a"));
    })
    .await;
    for (format, codec, content_type) in [
        ("mp3", "mp3", "audio/mpeg"),
        ("flac", "flac", "audio/flac"),
        ("ogg", "vorbis", "audio/ogg"),
        ("m4a", "mp4", "audio/mp4"),
    ] {
        let song = song_by_title(&app, &format!("Hunter {format}")).await;
        assert_eq!(song["artist"], "Björk", "{format}");
        assert_eq!(song["album"]["title"], "Homogenic", "{format}");
        assert_eq!(song["track_number"], 3, "{format}");
        assert_eq!(song["track_total"], 12, "{format}");
        assert_eq!(song["disc_number"], 1, "{format}");
        assert_eq!(song["year"], 1997, "{format}");
        assert_eq!(song["genres"][0], "Electronic", "{format}");
        assert_eq!(song["codec"], codec, "{format}");
        assert_eq!(song["content_type"], content_type, "{format}");
        assert_eq!(song["source_kind"], "local");
        let duration = song["duration_ms"].as_i64().expect("duration");
        assert!((900..=1200).contains(&duration), "{format}: {duration} ms");
        assert!(song["sample_rate"].as_i64().expect("rate") > 0, "{format}");
        assert!(song["size_bytes"].as_i64().expect("size") > 0, "{format}");
    }
    let album = song_by_title(&app, "Hunter mp3").await["album"]["id"].clone();
    let album = app
        .get_json(&format!("albums/{}", album.as_str().expect("id")))
        .await;
    assert_eq!(album["song_count"], 4, "one album for the four files: {album}");
}

#[tokio::test]
async fn missing_tags_fall_back_to_the_file_name_and_unknown_groups() {
    let app = spawn_app_with_music(|dir| {
        make(
            dir,
            "01 - Intro.flac",
            &Tags {
                seconds: 1.0,
                ..Tags::default()
            },
        );
    })
    .await;
    let song = song_by_title(&app, "01 - Intro").await;
    assert_eq!(song["artist"], "Unknown Artist");
    assert_eq!(song["album"]["title"], "Unknown Album");
    assert_eq!(song["file_name"], "01 - Intro.flac");
}

#[tokio::test]
async fn a_rescan_of_an_unchanged_library_reads_no_file() {
    let app = spawn_app_with_music(|dir| {
        make(dir, "x/a.mp3", &Tags::song("A", "Artist", "Album"));
        make(dir, "x/b.ogg", &Tags::song("B", "Artist", "Album"));
    })
    .await;
    let progress = app.scan().await;
    assert_eq!(progress["seen"], 2, "{progress}");
    assert_eq!(progress["skipped"], 2, "{progress}");
    assert_eq!(progress["done"], 0, "{progress}");
    assert_eq!(progress["state"], "finished");
}

#[tokio::test]
async fn changed_added_and_deleted_files_are_picked_up_by_a_rescan() {
    let app = spawn_app_with_music(|dir| {
        make(dir, "a.mp3", &Tags::song("Old title", "Artist", "Album"));
        make(dir, "gone.mp3", &Tags::song("Gone", "Artist", "Album"));
    })
    .await;
    let dir = app.music.path().to_owned();
    let id_before = song_by_title(&app, "Old title").await["id"].clone();
    // A different size or mtime marks the file as changed.
    tokio::time::sleep(Duration::from_millis(20)).await;
    make(&dir, "a.mp3", &Tags::song("New title", "Artist", "Album"));
    make(&dir, "added.flac", &Tags::song("Added", "Artist", "Album"));
    std::fs::remove_file(dir.join("gone.mp3")).expect("removing");
    let progress = app.scan().await;
    assert_eq!(progress["done"], 2, "{progress}");
    assert_eq!(progress["removed"], 1, "{progress}");
    assert_eq!(app.titles("").await, vec!["Added", "New title"]);
    assert_eq!(
        song_by_title(&app, "New title").await["id"],
        id_before,
        "ids are stable"
    );
}

#[tokio::test]
async fn unreadable_files_loops_and_bad_names_are_recorded_and_do_not_stop_the_scan() {
    use std::os::unix::ffi::OsStrExt;
    let app = spawn_app_with_music(|dir| {
        make(dir, "good.mp3", &Tags::song("Good", "Artist", "Album"));
        std::fs::write(dir.join("broken.flac"), b"this is not audio").expect("write");
        std::os::unix::fs::symlink(dir, dir.join("loop")).expect("symlink");
        let name = std::ffi::OsStr::from_bytes(b"bad-\xff-name.mp3");
        std::fs::copy(dir.join("good.mp3"), dir.join(name)).expect("copy");
    })
    .await;
    assert_eq!(app.titles("").await, vec!["Good"]);
    let errors: Value = app.admin_get("scan-errors").await.json().await.expect("json");
    let kinds: Vec<&str> = errors
        .as_array()
        .expect("a list")
        .iter()
        .map(|error| error["kind"].as_str().expect("kind"))
        .collect();
    for kind in ["unsupported_file", "symlink_loop", "non_utf8_name"] {
        assert!(kinds.contains(&kind), "{kind} missing in {errors}");
    }
    let progress = app.wait_for_scan().await;
    assert_eq!(progress["failed"], 1, "{progress}");
}

#[tokio::test]
async fn scans_are_admin_only_and_one_at_a_time() {
    let app = spawn_app_with_music(|dir| {
        make(dir, "a.mp3", &Tags::song("A", "Artist", "Album"));
    })
    .await;
    let response = app.client.post(app.url("scans")).send().await.expect("sent");
    TestApp::expect_error(response, StatusCode::FORBIDDEN, "forbidden").await;
    let response = app.get("scan-errors").await;
    TestApp::expect_error(response, StatusCode::FORBIDDEN, "forbidden").await;
    // Holding a lock on the songs table keeps the first scan running.
    let mut lock = app.app.pool.begin().await.expect("a transaction");
    sqlx::query("LOCK TABLE songs IN ACCESS EXCLUSIVE MODE")
        .execute(&mut *lock)
        .await
        .expect("lock");
    let first = app.admin_post("scans", None).await;
    assert_eq!(first.status(), StatusCode::ACCEPTED);
    let running: Value = app.admin_get("scans/current").await.json().await.expect("json");
    assert_eq!(running["state"], "running");
    let second = app.admin_post("scans", None).await;
    TestApp::expect_error(second, StatusCode::CONFLICT, "scan_running").await;
    lock.rollback().await.expect("unlock");
    let progress = app.wait_for_scan().await;
    assert_eq!(progress["state"], "finished");
    let current: Value = app.admin_get("scans/current").await.json().await.expect("json");
    assert_eq!(current["seen"], 1);
}

#[tokio::test]
async fn scan_progress_is_in_the_metrics() {
    let app = spawn_app_with_music(|dir| {
        make(dir, "a.mp3", &Tags::song("A", "Artist", "Album"));
    })
    .await;
    let metrics = common::test_support::metrics::scrape(&app.client, &app.address).await;
    assert!(
        metrics.contains("tonearm_catalog_scan_files_read_total"),
        "{metrics}"
    );
}

#[tokio::test]
async fn the_song_sources_view_gives_the_stream_service_what_it_needs() {
    let app = spawn_app_with_music(|dir| {
        make(dir, "01 - Intro.flac", &Tags::song("Intro", "Artist", "Album"));
    })
    .await;
    type Row = (
        uuid::Uuid,
        String,
        Option<String>,
        Option<String>,
        String,
        Option<String>,
        Option<i64>,
        Option<chrono::DateTime<chrono::Utc>>,
        Option<i64>,
    );
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT song_id, kind, path, url, file_name, content_type, size_bytes, modified_at, duration_ms
         FROM song_sources",
    )
    .fetch_all(&app.app.pool)
    .await
    .expect("the view answers");
    assert_eq!(rows.len(), 1);
    let (id, kind, path, url, file_name, content_type, size, modified, duration) = rows[0].clone();
    let path = path.expect("a path");
    assert_eq!(id.to_string(), app.get_json("songs").await["items"][0]["id"]);
    assert_eq!(
        (kind.as_str(), url, file_name.as_str()),
        ("local", None, "01 - Intro.flac")
    );
    assert_eq!(
        path,
        app.music.path().join("01 - Intro.flac").display().to_string()
    );
    assert_eq!(content_type.as_deref(), Some("audio/flac"));
    assert_eq!(size, Some(std::fs::metadata(&path).expect("stat").len() as i64));
    assert!(modified.is_some() && duration.is_some_and(|ms| ms > 900));
}

#[tokio::test]
async fn a_music_folder_that_vanished_keeps_its_songs_and_is_reported() {
    let app = spawn_app_with_music(|dir| {
        make(
            dir,
            "a.mp3",
            &Tags::song("Kept while unmounted", "Artist", "Album"),
        );
    })
    .await;
    let dir = app.music.path().to_owned();
    let aside = dir.with_extension("aside");
    std::fs::rename(&dir, &aside).expect("unmount");
    let progress = app.scan().await;
    std::fs::rename(&aside, &dir).expect("mount again");
    assert_eq!(progress["removed"], 0, "{progress}");
    assert_eq!(app.titles("").await, ["Kept while unmounted"]);
    let errors: Value = app.admin_get("scan-errors").await.json().await.expect("json");
    assert_eq!(errors[0]["kind"], "unreadable", "{errors}");
    assert_eq!(errors[0]["path"], dir.display().to_string());
}
