//! `GET songs` and `GET songs/{id}`: filters, sort, cursors and bad input.

use std::collections::HashSet;

use reqwest::StatusCode;
use serde_json::Value;

use crate::{
    audio::{Tags, make},
    helpers::{TestApp, spawn_app_with_music},
};

fn library(dir: &std::path::Path) {
    let songs: [(&str, &str, &str, &str, &str, &str); 6] = [
        ("a1.mp3", "Alpha", "Zed", "First", "2001", "Rock"),
        ("a2.mp3", "bravo", "Zed", "First", "2001", "Rock"),
        ("b1.ogg", "Charlie", "Yan", "Second", "1999", "Jazz"),
        ("b2.flac", "Delta", "Yan", "Second", "1999", "Jazz"),
        ("c1.m4a", "Echo", "Xu", "Third", "2010", "Pop"),
        ("c2.mp3", "Foxtrot", "Xu", "Third", "2010", "Pop"),
    ];
    for (index, (file, title, artist, album, date, genre)) in songs.into_iter().enumerate() {
        let tags = Tags {
            title: Some(title),
            artist: Some(artist),
            album: Some(album),
            date: Some(date),
            genre: Some(genre),
            seconds: 1.0 + index as f32 * 0.5,
            ..Tags::default()
        };
        make(dir, file, &tags);
    }
}

fn titles(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|song| song["title"].as_str().expect("title").to_owned())
        .collect()
}

#[tokio::test]
async fn songs_sort_filter_and_page_with_cursors() {
    let app = spawn_app_with_music(library).await;
    assert_eq!(
        app.titles("").await,
        ["Alpha", "bravo", "Charlie", "Delta", "Echo", "Foxtrot"]
    );
    let first_two = |mut titles: Vec<String>| {
        titles.truncate(2);
        titles.sort();
        titles
    };
    assert_eq!(first_two(app.titles("sort=artist").await), ["Echo", "Foxtrot"]);
    assert_eq!(
        first_two(app.titles("sort=year&order=desc").await),
        ["Echo", "Foxtrot"]
    );
    assert_eq!(first_two(app.titles("sort=year").await), ["Charlie", "Delta"]);
    assert_eq!(app.titles("sort=duration&order=desc").await[0], "Foxtrot");
    assert_eq!(app.titles("genre=jazz").await, ["Charlie", "Delta"]);
    assert_eq!(app.titles("year=2001").await, ["Alpha", "bravo"]);
    assert_eq!(app.titles("artist=Xu").await, ["Echo", "Foxtrot"]);
    assert_eq!(app.titles("album=second").await, ["Charlie", "Delta"]);
    assert_eq!(app.titles("source=local").await.len(), 6);
    assert!(app.titles("source=remote").await.is_empty());
    assert_eq!(app.titles("q=fox").await, ["Foxtrot"]);

    let mut seen = Vec::new();
    let mut cursor = String::new();
    loop {
        let page = app
            .get_json(&format!("songs?limit=4&sort=album&order=desc{cursor}"))
            .await;
        seen.extend(titles(&page));
        match page["next_cursor"].as_str() {
            Some(next) => cursor = format!("&cursor={next}"),
            None => break,
        }
    }
    assert_eq!(seen.len(), 6);
    assert_eq!(
        seen.iter().collect::<HashSet<_>>().len(),
        6,
        "no song twice: {seen:?}"
    );
    assert_eq!(
        seen[..2].iter().collect::<HashSet<_>>(),
        HashSet::from([&"Echo".to_owned(), &"Foxtrot".to_owned()])
    );
}

#[tokio::test]
async fn a_cursor_stays_correct_while_songs_are_added() {
    let app = spawn_app_with_music(library).await;
    let first = app.get_json("songs?limit=3").await;
    assert_eq!(titles(&first), ["Alpha", "bravo", "Charlie"]);
    make(app.music.path(), "new.mp3", &Tags::song("Aardvark", "New", "New"));
    app.scan().await;
    let cursor = first["next_cursor"].as_str().expect("a next page");
    let second = app.get_json(&format!("songs?limit=3&cursor={cursor}")).await;
    assert_eq!(titles(&second), ["Delta", "Echo", "Foxtrot"]);
    assert!(second["next_cursor"].is_null());
}

#[tokio::test]
async fn bad_parameters_are_400s_naming_the_parameter() {
    let app = spawn_app_with_music(library).await;
    let long_q = "q".repeat(201);
    for (query, parameter) in [
        ("sort=colour", "sort"),
        ("order=up", "order"),
        ("limit=0", "limit"),
        ("limit=501", "limit"),
        ("limit=ten", "limit"),
        ("cursor=garbage", "cursor"),
        ("year=soon", "year"),
        ("source=ftp", "source"),
        (&format!("q={long_q}") as &str, "q"),
    ] {
        let response = app.get(&format!("songs?{query}")).await;
        let message = TestApp::expect_error(response, StatusCode::BAD_REQUEST, "invalid_parameter").await;
        assert!(message.contains(&format!("`{parameter}`")), "{query}: {message}");
    }
    let page = app.get_json("songs?limit=2&sort=title").await;
    let cursor = page["next_cursor"].as_str().expect("cursor");
    let response = app.get(&format!("songs?sort=year&cursor={cursor}")).await;
    TestApp::expect_error(response, StatusCode::BAD_REQUEST, "invalid_parameter").await;
}

#[tokio::test]
async fn unknown_and_malformed_ids() {
    let app = spawn_app_with_music(library).await;
    for path in [
        "songs/not-a-uuid",
        "albums/nope",
        "artists/123",
        "songs/nope/cover",
    ] {
        TestApp::expect_error(app.get(path).await, StatusCode::BAD_REQUEST, "invalid_id").await;
    }
    let unknown = uuid::Uuid::new_v4();
    for path in ["songs", "albums", "artists"] {
        let response = app.get(&format!("{path}/{unknown}")).await;
        TestApp::expect_error(response, StatusCode::NOT_FOUND, "not_found").await;
    }
}

#[tokio::test]
async fn song_details_link_album_artist_and_stream() {
    let app = spawn_app_with_music(library).await;
    let page = app.get_json("songs?q=echo").await;
    let id = page["items"][0]["id"].as_str().expect("id").to_owned();
    let song = app.get_json(&format!("songs/{id}")).await;
    assert_eq!(song["stream_url"], format!("/api/stream/songs/{id}"));
    let album = app
        .get_json(&format!(
            "albums/{}",
            song["album"]["id"].as_str().expect("album id")
        ))
        .await;
    assert_eq!(album["title"], "Third");
    let artist_id = song["artists"][0]["id"].as_str().expect("artist id");
    let artist = app.get_json(&format!("artists/{artist_id}")).await;
    assert_eq!(artist["name"], "Xu");
    assert_eq!(artist["albums"][0]["title"], "Third");
    assert_eq!(
        song["details"],
        serde_json::json!({"lastfm": {"status": "not_configured"}})
    );
}
