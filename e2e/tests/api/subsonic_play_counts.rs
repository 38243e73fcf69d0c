//! Plays shown to apps: `playCount` and `played` on songs and albums, and
//! the `frequent` and `recent` album lists, after scrobbles through the
//! real catalog, events-service, broker, stats consumer and Redis.

use std::{
    collections::HashMap,
    time::{Duration, Instant},
};

use serde_json::Value;

use crate::{
    helpers::{TestApp, spawn_live_app},
    rest::ok,
    xml_forms::{json_tree, tree_of},
};

/// The fixture's songs and albums by title, as ids.
struct Library {
    songs: HashMap<String, String>,
    albums: HashMap<String, String>,
}

async fn library(app: &TestApp, key: &str) -> Library {
    let found = app
        .keyed(key, "search3", &[("query", ""), ("songCount", "10")])
        .await;
    let mut library = Library {
        songs: HashMap::new(),
        albums: HashMap::new(),
    };
    for song in ok(&found)["searchResult3"]["song"].as_array().expect("songs") {
        let text = |name: &str| song[name].as_str().expect(name).to_owned();
        library.songs.insert(text("title"), text("id"));
        library.albums.insert(text("album"), text("albumId"));
    }
    library
}

/// One submission of `song`: one play.
async fn scrobble(app: &TestApp, key: &str, song: &str) {
    ok(&app.keyed(key, "scrobble", &[("id", song)]).await);
}

async fn song_plays(app: &TestApp, key: &str, song: &str) -> Value {
    let found = app.keyed(key, "getSong", &[("id", song)]).await;
    ok(&found)["song"]["playCount"].clone()
}

/// Waits until `getSong` shows `want` plays of `song`.
async fn wait_for_plays(app: &TestApp, key: &str, song: &str, want: u64) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let plays = song_plays(app, key, song).await;
        if plays == want {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{song} shows {plays} plays, not {want}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Scrobbles `song` and waits until its play is counted.
async fn play(app: &TestApp, key: &str, song: &str) {
    let before = song_plays(app, key, song).await.as_u64().expect("a play count");
    scrobble(app, key, song).await;
    wait_for_plays(app, key, song, before + 1).await;
}

/// The album names of a `getAlbumList2` (or, `older`, `getAlbumList`).
async fn album_list(app: &TestApp, key: &str, kind: &str, page: &[(&str, &str)], older: bool) -> Vec<String> {
    let mut params = vec![("type", kind)];
    params.extend_from_slice(page);
    let (method, member, name) = if older {
        ("getAlbumList", "albumList", "title")
    } else {
        ("getAlbumList2", "albumList2", "name")
    };
    let found = app.keyed(key, method, &params).await;
    ok(&found)[member]["album"]
        .as_array()
        .map(|albums| {
            albums
                .iter()
                .map(|album| album[name].as_str().expect("a name").to_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// `/rest/<method>` with the API key as XML, as the tree its JSON form
/// compares with.
async fn xml(app: &TestApp, key: &str, method: &str, params: &[(&str, &str)]) -> Value {
    let mut query = vec![("apiKey", key), ("v", "1.16.1"), ("c", "tests")];
    query.extend_from_slice(params);
    let text = app
        .client
        .get(app.url(&format!("/rest/{method}")))
        .query(&query)
        .send()
        .await
        .expect("rest call")
        .text()
        .await
        .expect("xml");
    tree_of(&text)
}

#[tokio::test]
async fn plays_show_as_play_counts_and_order_the_frequent_and_recent_album_lists() {
    let app = spawn_live_app().await;
    let key = app.admin_api_key().await;
    let library = library(&app, &key).await;
    let song = |title: &str| library.songs[title].clone();
    let (alpha_one, alpha_two, beta) = (song("Alpha One"), song("Alpha Two"), song("Beta Song"));

    // Nothing played yet: no plays, empty lists (not errors).
    assert_eq!(song_plays(&app, &key, &beta).await, 0);
    assert!(album_list(&app, &key, "frequent", &[], false).await.is_empty());
    assert!(album_list(&app, &key, "recent", &[], false).await.is_empty());

    // First Album: three plays over its two songs; then Second Album once.
    for song in [&alpha_one, &alpha_two, &alpha_one, &beta] {
        play(&app, &key, song).await;
    }
    let frequent = album_list(&app, &key, "frequent", &[], false).await;
    assert_eq!(frequent, ["First Album", "Second Album"]);
    let recent = album_list(&app, &key, "recent", &[], false).await;
    assert_eq!(recent, ["Second Album", "First Album"], "the last played first");
    assert_eq!(
        album_list(&app, &key, "recent", &[], true).await,
        ["Second Album", "First Album"],
        "getAlbumList answers the same"
    );
    assert_eq!(
        album_list(&app, &key, "frequent", &[("size", "1"), ("offset", "1")], false).await,
        ["Second Album"]
    );

    // Songs and the album carrying them show their plays.
    let found = app
        .keyed(&key, "getAlbum", &[("id", &library.albums["First Album"])])
        .await;
    let album = &ok(&found)["album"];
    let plays: Vec<(&str, &Value)> = album["song"]
        .as_array()
        .expect("songs")
        .iter()
        .map(|song| (song["title"].as_str().expect("title"), &song["playCount"]))
        .collect();
    assert_eq!(
        plays,
        [("Alpha One", &Value::from(2)), ("Alpha Two", &Value::from(1))]
    );
    assert_eq!(album["playCount"], 3);
    assert!(
        album["song"][0]["played"]
            .as_str()
            .is_some_and(|at| at.ends_with('Z'))
    );

    // A second play of Beta Song: 1 -> 2; two more, and its album is the
    // most played.
    play(&app, &key, &beta).await;
    assert_eq!(song_plays(&app, &key, &beta).await, 2);
    play(&app, &key, &beta).await;
    play(&app, &key, &beta).await;
    let frequent = album_list(&app, &key, "frequent", &[], false).await;
    assert_eq!(frequent, ["Second Album", "First Album"]);
    play(&app, &key, &alpha_two).await;
    let recent = album_list(&app, &key, "recent", &[], true).await;
    assert_eq!(recent, ["First Album", "Second Album"]);

    // The XML form carries the same figures.
    for (method, id) in [("getSong", &beta), ("getAlbum", &library.albums["Second Album"])] {
        let json = app.keyed(&key, method, &[("id", id)]).await;
        let from_xml = xml(&app, &key, method, &[("id", id)]).await;
        assert_eq!(from_xml, json_tree(&json["subsonic-response"]), "{method}");
    }
    let from_xml = xml(&app, &key, "getSong", &[("id", &beta)]).await;
    assert_eq!(from_xml["song"][0]["playCount"], "4");
}
