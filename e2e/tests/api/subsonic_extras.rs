//! Lyrics, random songs, podcasts, radio and `timeOffset` against the real
//! catalog and stream services.

use serde_json::Value;

use crate::{
    helpers::{TestApp, spawn_app},
    rest::ok,
};

async fn song_id(app: &TestApp, title: &str) -> String {
    let found = app.json("search3", &[("query", title)]).await;
    ok(&found)["searchResult3"]["song"]
        .as_array()
        .expect("songs")
        .iter()
        .find(|song| song["title"] == title)
        .and_then(|song| song["id"].as_str())
        .expect("the song")
        .to_owned()
}

#[tokio::test]
async fn embedded_lyrics_are_served_synced_and_as_plain_text() {
    let app = spawn_app().await;
    let alpha = song_id(&app, "Alpha One").await;
    let answer = app.json("getLyricsBySongId", &[("id", &alpha)]).await;
    let lyrics = &ok(&answer)["lyricsList"]["structuredLyrics"];
    assert_eq!(lyrics.as_array().map(Vec::len), Some(1), "{answer}");
    assert_eq!(lyrics[0]["synced"], true);
    assert_eq!(lyrics[0]["displayTitle"], "Alpha One");
    assert_eq!(
        lyrics[0]["line"],
        serde_json::json!([{"start": 500, "value": "First line"}, {"start": 1250, "value": "Second line"}])
    );

    let beta = song_id(&app, "Beta Song").await;
    let none = app.json("getLyricsBySongId", &[("id", &beta)]).await;
    assert_eq!(ok(&none)["lyricsList"]["structuredLyrics"], serde_json::json!([]));

    let plain = app
        .json("getLyrics", &[("artist", "able artist"), ("title", "alpha one")])
        .await;
    assert_eq!(ok(&plain)["lyrics"]["value"], "First line\nSecond line");
    assert_eq!(ok(&plain)["lyrics"]["title"], "Alpha One");
    let missing = app
        .json("getLyrics", &[("artist", "Baker Band"), ("title", "Beta Song")])
        .await;
    assert_eq!(ok(&missing)["lyrics"], serde_json::json!({}));

    let extensions = app.json("getOpenSubsonicExtensions", &[]).await;
    let names: Vec<&str> = ok(&extensions)["openSubsonicExtensions"]
        .as_array()
        .expect("extensions")
        .iter()
        .filter_map(|extension| extension["name"].as_str())
        .collect();
    assert!(
        names.contains(&"songLyrics") && names.contains(&"transcodeOffset"),
        "{names:?}"
    );
}

fn titles(answer: &Value) -> Vec<String> {
    let mut titles: Vec<String> = ok(answer)["randomSongs"]["song"]
        .as_array()
        .expect("songs")
        .iter()
        .map(|song| song["title"].as_str().expect("title").to_owned())
        .collect();
    titles.sort();
    titles
}

#[tokio::test]
async fn random_songs_follow_size_genre_and_years() {
    let app = spawn_app().await;
    assert_eq!(
        titles(&app.json("getRandomSongs", &[("size", "2")]).await).len(),
        2
    );
    assert_eq!(
        titles(&app.json("getRandomSongs", &[("size", "10")]).await),
        ["Alpha One", "Alpha Two", "Beta Song"]
    );
    assert_eq!(
        titles(&app.json("getRandomSongs", &[("genre", "Jazz")]).await),
        ["Beta Song"]
    );
    assert_eq!(
        titles(&app.json("getRandomSongs", &[("fromYear", "2000")]).await),
        ["Alpha One", "Alpha Two"]
    );
    assert_eq!(
        titles(
            &app.json("getRandomSongs", &[("fromYear", "1990"), ("toYear", "1999")])
                .await
        ),
        ["Beta Song"]
    );
}

#[tokio::test]
async fn without_internet_sources_podcasts_and_radio_are_empty_lists() {
    let app = spawn_app().await;
    let podcasts = app.json("getPodcasts", &[]).await;
    assert_eq!(ok(&podcasts)["podcasts"]["channel"], serde_json::json!([]));
    let newest = app.json("getNewestPodcasts", &[]).await;
    assert_eq!(ok(&newest)["newestPodcasts"]["episode"], serde_json::json!([]));
    let radio = app.json("getInternetRadioStations", &[]).await;
    assert_eq!(
        ok(&radio)["internetRadioStations"]["internetRadioStation"],
        serde_json::json!([])
    );
    let unknown = app
        .json("getPodcasts", &[("id", "11111111-2222-4333-8444-555555555555")])
        .await;
    assert_eq!(unknown["subsonic-response"]["error"]["code"], 70);
}

#[tokio::test]
async fn a_time_offset_starts_the_song_later_even_without_a_format() {
    let app = spawn_app().await;
    let alpha = song_id(&app, "Alpha One").await;
    // The same transcode from the start, to compare lengths with.
    let whole = app
        .call("stream", &[("id", &alpha), ("format", "mp3")], "json")
        .await;
    assert_eq!(whole.status(), 200);
    let whole = whole.bytes().await.expect("audio").len();
    let later = app
        .call("stream", &[("id", &alpha), ("timeOffset", "1")], "json")
        .await;
    assert_eq!(later.status(), 200);
    assert_eq!(
        later.headers()["content-type"].to_str().expect("type"),
        "audio/mpeg"
    );
    let later = later.bytes().await.expect("audio").len();
    assert!(
        later > 0 && later * 10 < whole * 8,
        "one second of two ({later} bytes) is well under the whole song ({whole} bytes)"
    );
}
