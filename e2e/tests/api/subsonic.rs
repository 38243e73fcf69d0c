//! The OpenSubsonic API against the real catalog and stream services:
//! browsing, search paging, lists, the XML and JSON forms, streaming.

use crate::{
    helpers::{ADMIN_PASSWORD, check_range, spawn_app},
    rest::{names, ok},
    xml_forms::{self, json_tree},
};

#[tokio::test]
async fn an_app_browses_artist_to_album_to_song_with_covers_and_streams_a_range() {
    let app = spawn_app().await;
    let artists = app.json("getArtists", &[]).await;
    let index = &ok(&artists)["artists"]["index"];
    let letters = names(index, "name");
    assert_eq!(letters, ["A", "B"]);
    let able = &index[0]["artist"][0];
    assert_eq!(able["name"], "Able Artist");

    let artist = app
        .json("getArtist", &[("id", able["id"].as_str().expect("id"))])
        .await;
    let albums = &ok(&artist)["artist"]["album"];
    assert_eq!(names(albums, "name"), ["First Album"]);

    let album = app
        .json("getAlbum", &[("id", albums[0]["id"].as_str().expect("id"))])
        .await;
    let album = &ok(&album)["album"];
    assert_eq!(album["songCount"], 2);
    assert_eq!(names(&album["song"], "title"), ["Alpha One", "Alpha Two"]);
    let song_id = album["song"][0]["id"].as_str().expect("id").to_owned();

    let song = app.json("getSong", &[("id", &song_id)]).await;
    let song = &ok(&song)["song"];
    assert_eq!(song["album"], "First Album");
    assert_eq!(song["genre"], "Rock");
    assert_eq!(song["year"], 2001);

    // The original bytes, ranged, through /rest as through /api/stream.
    let request = app.client.get(app.url("/rest/stream.view")).query(&[
        ("u", "admin"),
        ("p", ADMIN_PASSWORD),
        ("id", &song_id),
    ]);
    check_range(request).await;

    // A capped bit rate is the stream service's MP3 transcode.
    let capped = app
        .call("stream", &[("id", &song_id), ("maxBitRate", "64")], "xml")
        .await;
    assert_eq!(capped.status(), 200);
    assert_eq!(capped.headers()["content-type"], "audio/mpeg");
    assert!(!capped.bytes().await.expect("body").is_empty());

    for id in [song_id.as_str(), albums[0]["id"].as_str().expect("id")] {
        let cover = app
            .call("getCoverArt", &[("id", id), ("size", "64")], "xml")
            .await;
        assert_eq!(cover.status(), 200);
        assert_eq!(cover.headers()["content-type"], "image/jpeg");
        assert!(!cover.bytes().await.expect("cover").is_empty());
    }

    let download = app.call("download", &[("id", &song_id)], "xml").await;
    assert_eq!(download.status(), 200);
    let disposition = download.headers()["content-disposition"].to_str().expect("text");
    assert!(disposition.starts_with("attachment"), "{disposition}");
}

#[tokio::test]
async fn an_empty_search3_pages_through_everything_for_offline_sync() {
    let app = spawn_app().await;
    let mut titles = Vec::new();
    for offset in ["0", "2", "4"] {
        let page = app
            .json(
                "search3",
                &[
                    ("query", "\"\""),
                    ("songCount", "2"),
                    ("songOffset", offset),
                    ("artistCount", "1"),
                    ("albumCount", "0"),
                ],
            )
            .await;
        let result = &ok(&page)["searchResult3"];
        assert_eq!(result["artist"].as_array().expect("artists").len(), 1);
        assert!(result["album"].as_array().expect("albums").is_empty());
        titles.extend(names(&result["song"], "title"));
    }
    assert_eq!(titles, ["Alpha One", "Alpha Two", "Beta Song"]);

    let found = app.json("search3", &[("query", "beta")]).await;
    assert_eq!(
        names(&ok(&found)["searchResult3"]["song"], "title"),
        ["Beta Song"]
    );
}

#[tokio::test]
async fn album_lists_come_in_the_asked_order() {
    let app = spawn_app().await;
    let list = |kind: &'static str, extra: &'static [(&'static str, &'static str)]| {
        let app = &app;
        async move {
            let mut params = vec![("type", kind)];
            params.extend_from_slice(extra);
            let body = app.json("getAlbumList2", &params).await;
            names(&ok(&body)["albumList2"]["album"], "name")
        }
    };
    assert_eq!(
        list("alphabeticalByName", &[]).await,
        ["First Album", "Second Album"]
    );
    assert_eq!(
        list("alphabeticalByArtist", &[]).await,
        ["First Album", "Second Album"]
    );
    assert_eq!(list("byGenre", &[("genre", "Jazz")]).await, ["Second Album"]);
    assert_eq!(
        list("byYear", &[("fromYear", "2005"), ("toYear", "1990")]).await,
        ["First Album", "Second Album"]
    );
    assert_eq!(list("newest", &[]).await.len(), 2);
    assert_eq!(list("random", &[("size", "1")]).await.len(), 1);
    // Nothing starred yet: an empty list, not an error.
    assert!(list("starred", &[]).await.is_empty());

    // The pre-ID3 list: the same albums as folders.
    let older = app.json("getAlbumList", &[("type", "alphabeticalByName")]).await;
    let older = &ok(&older)["albumList"]["album"];
    assert_eq!(names(older, "title"), ["First Album", "Second Album"]);
    assert_eq!(older[0]["isDir"], true);
    let by_genre = app
        .json(
            "getSongsByGenre",
            &[("genre", "Rock"), ("count", "1"), ("offset", "1")],
        )
        .await;
    assert_eq!(
        names(&ok(&by_genre)["songsByGenre"]["song"], "title"),
        ["Alpha Two"]
    );

    let genres = app.json("getGenres", &[]).await;
    let genre = &ok(&genres)["genres"]["genre"];
    assert_eq!(names(genre, "value"), ["Jazz", "Rock"]);
    assert_eq!(genre[1]["songCount"], 2);
}

#[tokio::test]
async fn an_unknown_or_malformed_id_is_error_70() {
    let app = spawn_app().await;
    for id in [uuid::Uuid::new_v4().to_string(), "../../internal/x".into()] {
        for method in ["getAlbum", "getSong", "getArtist", "stream", "getCoverArt"] {
            let body = app.json(method, &[("id", &id)]).await;
            assert_eq!(body["subsonic-response"]["status"], "failed", "{method} {id}");
            assert_eq!(
                body["subsonic-response"]["error"]["code"], 70,
                "{method} {id}: {body}"
            );
        }
    }
}

#[tokio::test]
async fn the_xml_and_json_answers_of_one_call_carry_the_same_data() {
    let app = spawn_app().await;
    for (method, params) in [
        ("search3", vec![("query", ""), ("songCount", "10")]),
        ("getGenres", vec![]),
        ("getArtists", vec![]),
    ] {
        let json = app.json(method, &params).await;
        let response = app.call(method, &params, "xml").await;
        let content_type = response.headers()["content-type"]
            .to_str()
            .expect("text")
            .to_owned();
        assert!(content_type.starts_with("application/xml"), "{content_type}");
        let xml = response.text().await.expect("xml");
        let from_xml = xml_forms::tree_of(&xml);
        assert_eq!(from_xml, json_tree(&json["subsonic-response"]), "{method}: {xml}");
        assert_eq!(from_xml["status"], "ok");
        assert_eq!(from_xml["openSubsonic"], "true");
    }
}

#[tokio::test]
async fn folder_browsing_walks_artist_folders_to_album_folders_to_songs() {
    let app = spawn_app().await;
    let indexes = app.json("getIndexes", &[]).await;
    let index = &ok(&indexes)["indexes"]["index"];
    assert_eq!(names(index, "name"), ["A", "B"]);
    let artist = index[0]["artist"][0]["id"].as_str().expect("id").to_owned();
    let folder = app.json("getMusicDirectory", &[("id", &artist)]).await;
    let albums = &ok(&folder)["directory"]["child"];
    assert_eq!(names(albums, "title"), ["First Album"]);
    assert_eq!(albums[0]["isDir"], true);
    let album = albums[0]["id"].as_str().expect("id").to_owned();
    let folder = app.json("getMusicDirectory", &[("id", &album)]).await;
    let songs = &ok(&folder)["directory"]["child"];
    assert_eq!(names(songs, "title"), ["Alpha One", "Alpha Two"]);
    assert_eq!(songs[0]["isDir"], false);
}
