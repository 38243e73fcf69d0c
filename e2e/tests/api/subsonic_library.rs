//! What a user keeps, through `/rest` against the real catalog:
//! favourites, playlists and the saved play queue.

use serde_json::Value;

use crate::{
    helpers::{TestApp, spawn_app},
    rest::{error_code, names, ok},
    xml_forms::{self, json_tree},
};

/// The ids of the fixture songs by title, and of the albums and artists.
pub(crate) async fn ids(app: &TestApp) -> (Vec<(String, String)>, Vec<String>, Vec<String>) {
    let found = app
        .json(
            "search3",
            &[("query", ""), ("songCount", "10"), ("albumCount", "10")],
        )
        .await;
    let result = &ok(&found)["searchResult3"];
    let pairs = |items: &Value, key: &str| -> Vec<(String, String)> {
        items
            .as_array()
            .expect("a list")
            .iter()
            .map(|item| {
                (
                    item[key].as_str().expect("a name").to_owned(),
                    item["id"].as_str().expect("an id").to_owned(),
                )
            })
            .collect()
    };
    let songs = pairs(&result["song"], "title");
    let albums = pairs(&result["album"], "name")
        .into_iter()
        .map(|(_, id)| id)
        .collect();
    let artists = pairs(&result["artist"], "name")
        .into_iter()
        .map(|(_, id)| id)
        .collect();
    (songs, albums, artists)
}

pub(crate) fn song<'a>(songs: &'a [(String, String)], title: &str) -> &'a str {
    songs
        .iter()
        .find(|(found, _)| found == title)
        .map(|(_, id)| id.as_str())
        .unwrap_or_else(|| panic!("no song {title}"))
}

#[tokio::test]
async fn star_and_unstar_songs_albums_and_artists_and_list_them() {
    let app = spawn_app().await;
    let (songs, albums, artists) = ids(&app).await;
    let (alpha, beta) = (song(&songs, "Alpha One"), song(&songs, "Beta Song"));
    // Repeated ids; an album starred by `id` as a folder-browsing app does.
    let starred = app
        .json(
            "star",
            &[
                ("id", alpha),
                ("id", beta),
                ("id", albums[1].as_str()),
                ("artistId", artists[0].as_str()),
            ],
        )
        .await;
    ok(&starred);
    let again = app.json("star", &[("id", alpha)]).await;
    ok(&again);

    let list = app.json("getStarred2", &[]).await;
    let found = &ok(&list)["starred2"];
    assert_eq!(names(&found["song"], "title"), ["Beta Song", "Alpha One"]);
    assert!(found["song"][0]["starred"].is_string(), "{found}");
    assert_eq!(names(&found["album"], "name"), ["Second Album"]);
    assert_eq!(names(&found["artist"], "name"), ["Able Artist"]);
    let older = app.json("getStarred", &[]).await;
    let older = &ok(&older)["starred"];
    assert_eq!(names(&older["album"], "title"), ["Second Album"]);
    assert_eq!(older["album"][0]["isDir"], true);
    // Browsing shows the hearts too: `starred` on what the caller starred.
    let album = app.json("getAlbum", &[("id", albums[1].as_str())]).await;
    assert!(ok(&album)["album"]["starred"].is_string(), "{album}");
    let shown = app.json("getSong", &[("id", beta)]).await;
    assert!(ok(&shown)["song"]["starred"].is_string(), "{shown}");
    let index = app.json("getArtists", &[]).await;
    let marked: Vec<&Value> = ok(&index)["artists"]["index"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|letter| letter["artist"].as_array().into_iter().flatten())
        .filter(|artist| artist["starred"].is_string())
        .collect();
    assert_eq!(marked.len(), 1, "the starred artist only: {index}");
    let starred_albums = app.json("getAlbumList2", &[("type", "starred")]).await;
    assert_eq!(
        names(&ok(&starred_albums)["albumList2"]["album"], "name"),
        ["Second Album"]
    );

    ok(&app
        .json(
            "unstar",
            &[
                ("id", beta),
                ("albumId", albums[1].as_str()),
                ("artistId", artists[0].as_str()),
            ],
        )
        .await);
    let list = app.json("getStarred2", &[]).await;
    let found = &ok(&list)["starred2"];
    assert_eq!(names(&found["song"], "title"), ["Alpha One"]);
    let shown = app.json("getSong", &[("id", beta)]).await;
    assert!(
        ok(&shown)["song"].get("starred").is_none(),
        "unstarred at once: {shown}"
    );
    assert!(names(&found["album"], "name").is_empty(), "{found}");
    assert!(names(&found["artist"], "name").is_empty(), "{found}");

    assert_eq!(*error_code(&app.json("star", &[]).await), 10);
    let unknown = uuid::Uuid::new_v4().to_string();
    assert_eq!(
        *error_code(&app.json("star", &[("id", unknown.as_str())]).await),
        70
    );
    assert_eq!(*error_code(&app.json("star", &[("albumId", "x")]).await), 70);

    // Another account sees none of it.
    app.create_listener("listener").await;
    let theirs = app
        .json_as("listener", "listener-password", "getStarred2", &[])
        .await;
    assert!(
        names(&ok(&theirs)["starred2"]["song"], "title").is_empty(),
        "{theirs}"
    );
}

#[tokio::test]
async fn a_saved_play_queue_is_restored() {
    let app = spawn_app().await;
    let (songs, _, _) = ids(&app).await;
    let (one, beta) = (song(&songs, "Alpha One"), song(&songs, "Beta Song"));
    let never = app.json("getPlayQueue", &[]).await;
    assert!(ok(&never).get("playQueue").is_none(), "{never}");
    let saved = app
        .json(
            "savePlayQueue",
            &[("id", beta), ("id", one), ("current", one), ("position", "42000")],
        )
        .await;
    ok(&saved);
    let restored = app.json("getPlayQueue", &[]).await;
    let queue = &ok(&restored)["playQueue"];
    assert_eq!(names(&queue["entry"], "title"), ["Beta Song", "Alpha One"]);
    assert_eq!(queue["current"], one);
    assert_eq!(queue["position"], 42000);
    assert_eq!(queue["username"], "admin");
    assert_eq!(queue["changedBy"], "tests");
    assert!(queue["changed"].is_string(), "{queue}");
    // The same queue through the catalog API, as the web player reads it.
    let cookie = app.admin_cookie().await;
    let web: Value = app
        .get("/api/catalog/play-queue", &cookie)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(web["position_ms"], 42000);
    assert_eq!(web["current"], one);

    ok(&app.json("savePlayQueue", &[]).await);
    let cleared = app.json("getPlayQueue", &[]).await;
    assert!(
        names(&ok(&cleared)["playQueue"]["entry"], "title").is_empty(),
        "{cleared}"
    );
    let unknown = uuid::Uuid::new_v4().to_string();
    assert_eq!(
        *error_code(&app.json("savePlayQueue", &[("id", unknown.as_str())]).await),
        70
    );
}

/// The XML form of `method` read back as the JSON form's tree.
async fn xml_as_tree(app: &TestApp, method: &str, params: &[(&str, &str)]) -> Value {
    let xml = app.call(method, params, "xml").await.text().await.expect("xml");
    xml_forms::tree_of(&xml)
}

#[tokio::test]
async fn starred_playlists_and_the_queue_carry_the_same_data_in_xml_and_json() {
    let app = spawn_app().await;
    let (songs, albums, artists) = ids(&app).await;
    let one = song(&songs, "Alpha One");
    let star = [
        ("id", one),
        ("albumId", albums[0].as_str()),
        ("artistId", artists[0].as_str()),
    ];
    ok(&app.json("star", &star).await);
    let created = app
        .json("createPlaylist", &[("name", "Mix & <match>"), ("songId", one)])
        .await;
    let id = ok(&created)["playlist"]["id"].as_str().expect("id").to_owned();
    ok(&app
        .json(
            "savePlayQueue",
            &[("id", one), ("current", one), ("position", "5")],
        )
        .await);
    let id_param = [("id", id.as_str())];
    let calls: [(&str, &[(&str, &str)]); 6] = [
        ("getStarred2", &[]),
        ("getStarred", &[]),
        ("getPlaylists", &[]),
        ("getPlaylist", &id_param),
        ("getPlayQueue", &[]),
        ("getAlbumList2", &[("type", "starred")]),
    ];
    for (method, params) in calls {
        let json = app.json(method, params).await;
        ok(&json);
        let from_xml = xml_as_tree(&app, method, params).await;
        assert_eq!(from_xml, json_tree(&json["subsonic-response"]), "{method}");
    }
}
