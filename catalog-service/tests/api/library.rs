//! Albums, artists, genres, search and the OpenAPI document.

use serde_json::Value;

use crate::{
    audio::{Tags, make},
    helpers::spawn_app_with_music,
};

fn names(list: &Value, key: &str) -> Vec<String> {
    list.as_array()
        .expect("a list")
        .iter()
        .map(|item| item[key].as_str().expect("a name").to_owned())
        .collect()
}

#[tokio::test]
async fn albums_list_tracks_in_disc_and_track_order() {
    let app = spawn_app_with_music(|dir| {
        for (file, title, track, disc) in [
            ("d2t1.mp3", "Third", "1", "2"),
            ("d1t2.mp3", "Second", "2", "1"),
            ("d1t1.mp3", "First", "1/2", "1/2"),
        ] {
            let tags = Tags {
                track: Some(track),
                disc: Some(disc),
                album_artist: Some("Various Artists"),
                ..Tags::song(title, "Someone", "Compilation")
            };
            make(dir, file, &tags);
        }
    })
    .await;
    let albums = app.get_json("albums").await;
    assert_eq!(names(&albums["items"], "title"), ["Compilation"]);
    assert_eq!(albums["items"][0]["artist"]["name"], "Various Artists");
    let id = albums["items"][0]["id"].as_str().expect("id");
    let album = app.get_json(&format!("albums/{id}")).await;
    assert_eq!(names(&album["songs"], "title"), ["First", "Second", "Third"]);
    let artists = app.get_json("artists").await;
    assert_eq!(names(&artists["items"], "name"), ["Someone", "Various Artists"]);
}

#[tokio::test]
async fn genres_count_their_songs() {
    let app = spawn_app_with_music(|dir| {
        for (file, genre) in [("a.mp3", "Rock"), ("b.mp3", "Rock"), ("c.ogg", "Ambient")] {
            make(
                dir,
                file,
                &Tags {
                    genre: Some(genre),
                    ..Tags::song("T", "A", "B")
                },
            );
        }
    })
    .await;
    let genres = app.get_json("genres").await;
    assert_eq!(
        genres,
        serde_json::json!([{"name":"Ambient","song_count":1},{"name":"Rock","song_count":2}])
    );
}

#[tokio::test]
async fn search_ignores_accents_matches_prefixes_and_tolerates_typos() {
    let app = spawn_app_with_music(|dir| {
        make(dir, "a.mp3", &Tags::song("Jóga", "Björk", "Homogenic"));
        make(
            dir,
            "b.mp3",
            &Tags::song("Yellow Submarine", "The Beatles", "Revolver"),
        );
        make(
            dir,
            "c.ogg",
            &Tags::song("Breathe", "Pink Floyd", "The Dark Side of the Moon"),
        );
    })
    .await;
    let results = app.get_json("search?q=bjork").await;
    assert_eq!(names(&results["artists"], "name"), ["Björk"]);
    assert_eq!(names(&results["songs"], "title"), ["Jóga"]);
    let results = app.get_json("search?q=brea").await;
    assert_eq!(names(&results["songs"], "title"), ["Breathe"]);
    let results = app.get_json("search?q=beatels").await;
    assert_eq!(names(&results["artists"], "name"), ["The Beatles"]);
    let results = app.get_json("search?q=jo").await;
    assert_eq!(
        names(&results["songs"], "title"),
        ["Jóga"],
        "short prefixes match titles"
    );
    let results = app.get_json("search?q=pink").await;
    assert_eq!(names(&results["songs"], "title"), ["Breathe"], "and artists");
    let results = app.get_json("search?q=homog").await;
    assert_eq!(names(&results["albums"], "name"), ["Homogenic"]);
    let results = app.get_json("search?q=sub").await;
    assert_eq!(
        names(&results["songs"], "title"),
        ["Yellow Submarine"],
        "words inside names"
    );
    let results = app.get_json("search?q=breathr").await;
    assert_eq!(
        names(&results["songs"], "title"),
        ["Breathe"],
        "a typo at the end"
    );
    let response = app.get("search").await;
    assert_eq!(response.status(), reqwest::StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn the_openapi_document_lists_the_routes() {
    let app = spawn_app_with_music(|_| {}).await;
    let document = app.get_json("openapi.json").await;
    for path in [
        "/api/catalog/songs",
        "/api/catalog/search",
        "/api/catalog/albums/{id}/cover",
        "/api/catalog/favourites/{kind}/{id}",
        "/api/catalog/playlists/{id}/songs",
        "/api/catalog/play-queue",
    ] {
        assert!(document["paths"][path].is_object(), "{path} missing");
    }
}
