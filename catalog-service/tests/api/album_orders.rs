//! The orders apps list albums by, paged by offset, and the artist index.

use serde_json::Value;

use crate::{
    audio::{Tags, make},
    helpers::{TestApp, spawn_app_with_music},
};

fn titles(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|album| album["title"].as_str().expect("title").to_owned())
        .collect()
}

/// Four albums: (title, album artist, year, genre).
const ALBUMS: [(&str, &str, &str, &str); 4] = [
    ("Blue", "Zed", "1971", "Folk"),
    ("Court", "Abba", "1969", "Rock"),
    ("Amber", "Moss", "1999", "Jazz"),
    ("Dune", "Abba", "1975", "Jazz"),
];

async fn library() -> TestApp {
    spawn_app_with_music(|dir| {
        for (title, artist, year, genre) in ALBUMS {
            let tags = Tags {
                date: Some(year),
                genre: Some(genre),
                ..Tags::song("Track", artist, title)
            };
            make(dir, &format!("{title}.mp3"), &tags);
        }
    })
    .await
}

#[tokio::test]
async fn albums_list_by_artist_year_and_genre_paged_by_offset() {
    let app = library().await;
    let list = |query: &'static str| {
        let app = &app;
        async move { titles(&app.get_json(&format!("albums?{query}")).await) }
    };
    assert_eq!(list("").await, ["Amber", "Blue", "Court", "Dune"]);
    assert_eq!(list("sort=artist").await, ["Court", "Dune", "Amber", "Blue"]);
    assert_eq!(list("sort=artist&offset=1&limit=2").await, ["Dune", "Amber"]);
    assert_eq!(list("sort=year&year=1970-1999").await, ["Blue", "Dune", "Amber"]);
    assert_eq!(
        list("sort=year&year=1970-1999&order=desc").await,
        ["Amber", "Dune", "Blue"]
    );
    assert_eq!(list("genre=jazz").await, ["Amber", "Dune"]);
    assert_eq!(list("sort=random&limit=4").await.len(), 4);
    let mut drawn = std::collections::BTreeSet::new();
    for _ in 0..30 {
        let two = list("sort=random&limit=2").await;
        assert_eq!(two.len(), 2);
        drawn.extend(two);
    }
    assert_eq!(drawn.len(), 4, "every album is drawn some time: {drawn:?}");
    let newest = app.get_json("albums?sort=added&order=desc&limit=1").await;
    assert_eq!(newest["items"].as_array().map(Vec::len), Some(1));
    assert!(
        newest["next_cursor"].is_null(),
        "orders other than title page by offset"
    );
}

#[tokio::test]
async fn bad_album_orders_are_refused_naming_the_parameter() {
    let app = library().await;
    for (query, parameter) in [
        ("sort=plays", "sort"),
        ("offset=-3", "offset"),
        ("year=soon", "year"),
    ] {
        let response = app.get(&format!("albums?{query}")).await;
        assert_eq!(response.status(), 400, "{query}");
        let body: Value = response.json().await.expect("json");
        let message = body["error"]["message"].as_str().unwrap_or_default();
        assert!(message.contains(parameter), "{query}: {message}");
    }
}

#[tokio::test]
async fn the_artist_index_lists_every_artist_with_their_albums_in_one_answer() {
    let app = library().await;
    let index = app.get_json("artists/index").await;
    let entries: Vec<(String, i64)> = index
        .as_array()
        .expect("a list")
        .iter()
        .map(|artist| {
            let name = artist["name"].as_str().expect("name").to_owned();
            (name, artist["album_count"].as_i64().expect("count"))
        })
        .collect();
    let expected = [("Abba", 2), ("Moss", 1), ("Zed", 1)].map(|(name, count)| (name.to_owned(), count));
    assert_eq!(entries, expected);
}

#[tokio::test]
async fn songs_and_artists_page_by_offset_too() {
    let app = library().await;
    let songs = app.get_json("songs?sort=album&offset=3").await;
    assert_eq!(songs["items"].as_array().map(Vec::len), Some(1));
    let artists = app.get_json("artists?offset=2").await;
    assert_eq!(artists["items"][0]["name"], "Zed");
}

/// The names of the artist index.
async fn index_names(app: &TestApp) -> Vec<String> {
    let index = app.get_json("artists/index").await;
    index
        .as_array()
        .expect("a list")
        .iter()
        .map(|artist| artist["name"].as_str().expect("name").to_owned())
        .collect()
}

#[tokio::test]
async fn kept_lists_follow_the_library_whoever_changes_it() {
    let app = library().await;
    assert_eq!(index_names(&app).await, ["Abba", "Moss", "Zed"]);
    // A rescan that found a new artist: listed as soon as it reports done.
    make(
        app.music.path(),
        "new.mp3",
        &Tags::song("Track", "Nico", "Chelsea Girl"),
    );
    app.scan().await;
    assert_eq!(index_names(&app).await, ["Abba", "Moss", "Nico", "Zed"]);
    // A change made by another replica (straight in the database) reaches
    // this one by PostgreSQL's change notice.
    sqlx::query("UPDATE artists SET name = 'Zappa' WHERE name = 'Zed'")
        .execute(&app.app.pool)
        .await
        .expect("renamed");
    app.wait_until(|| async { index_names(&app).await.contains(&"Zappa".to_owned()) })
        .await;
}

/// The status of the artist index asked for by a caller holding `etag`.
async fn index_holding(app: &TestApp, etag: &str) -> u16 {
    let response = app
        .client
        .get(app.url("artists/index"))
        .header("if-none-match", etag)
        .send()
        .await
        .expect("sent");
    response.status().as_u16()
}

#[tokio::test]
async fn a_caller_holding_the_current_list_gets_304() {
    let app = library().await;
    let first = app.get("artists/index").await;
    let etag = first.headers()["etag"].to_str().expect("etag").to_owned();
    assert_eq!(index_holding(&app, &etag).await, 304);
    make(
        app.music.path(),
        "new.mp3",
        &Tags::song("Track", "Nico", "Chelsea Girl"),
    );
    app.scan().await;
    assert_eq!(index_holding(&app, &etag).await, 200, "the library changed since");
}
