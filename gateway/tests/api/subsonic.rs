//! The OpenSubsonic API against the real catalog and stream services:
//! browsing, search paging, lists, the XML and JSON forms, streaming.

use std::collections::BTreeMap;

use quick_xml::{Reader, events::Event};
use serde_json::Value;

use crate::subsonic_system::System;

fn ok(body: &Value) -> &Value {
    let response = &body["subsonic-response"];
    assert_eq!(response["status"], "ok", "{body}");
    response
}

fn names(items: &Value, key: &str) -> Vec<String> {
    items
        .as_array()
        .expect("a list")
        .iter()
        .map(|item| item[key].as_str().expect("a name").to_owned())
        .collect()
}

#[tokio::test]
async fn an_app_browses_artist_to_album_to_song_with_covers_and_streams_a_range() {
    let system = System::start().await;
    let artists = system.json("getArtists", &[]).await;
    let index = &ok(&artists)["artists"]["index"];
    let letters = names(index, "name");
    assert_eq!(letters, ["A", "B"]);
    let able = &index[0]["artist"][0];
    assert_eq!(able["name"], "Able Artist");

    let artist = system
        .json("getArtist", &[("id", able["id"].as_str().expect("id"))])
        .await;
    let albums = &ok(&artist)["artist"]["album"];
    assert_eq!(names(albums, "name"), ["First Album"]);

    let album = system
        .json("getAlbum", &[("id", albums[0]["id"].as_str().expect("id"))])
        .await;
    let album = &ok(&album)["album"];
    assert_eq!(album["songCount"], 2);
    assert_eq!(names(&album["song"], "title"), ["Alpha One", "Alpha Two"]);
    let song_id = album["song"][0]["id"].as_str().expect("id").to_owned();

    let song = system.json("getSong", &[("id", &song_id)]).await;
    let song = &ok(&song)["song"];
    assert_eq!(song["album"], "First Album");
    assert_eq!(song["genre"], "Rock");
    assert_eq!(song["year"], 2001);

    // The original bytes, ranged, through /rest as through /api/stream.
    let ranged = system
        .app
        .client
        .get(system.app.url("/rest/stream.view"))
        .query(&[
            ("u", "admin"),
            ("p", crate::helpers::ADMIN_PASSWORD),
            ("id", &song_id),
        ])
        .header("range", "bytes=0-99")
        .send()
        .await
        .expect("stream");
    assert_eq!(ranged.status(), 206);
    let range = ranged.headers()["content-range"]
        .to_str()
        .expect("text")
        .to_owned();
    assert!(range.starts_with("bytes 0-99/"), "{range}");
    assert_eq!(ranged.bytes().await.expect("body").len(), 100);

    // A capped bit rate is the stream service's MP3 transcode.
    let capped = system
        .call("stream", &[("id", &song_id), ("maxBitRate", "64")], "xml")
        .await;
    assert_eq!(capped.status(), 200);
    assert_eq!(capped.headers()["content-type"], "audio/mpeg");
    assert!(!capped.bytes().await.expect("body").is_empty());

    for id in [song_id.as_str(), albums[0]["id"].as_str().expect("id")] {
        let cover = system
            .call("getCoverArt", &[("id", id), ("size", "64")], "xml")
            .await;
        assert_eq!(cover.status(), 200);
        assert_eq!(cover.headers()["content-type"], "image/jpeg");
        assert!(!cover.bytes().await.expect("cover").is_empty());
    }

    let download = system.call("download", &[("id", &song_id)], "xml").await;
    assert_eq!(download.status(), 200);
    let disposition = download.headers()["content-disposition"].to_str().expect("text");
    assert!(disposition.starts_with("attachment"), "{disposition}");
}

#[tokio::test]
async fn an_empty_search3_pages_through_everything_for_offline_sync() {
    let system = System::start().await;
    let mut titles = Vec::new();
    for offset in ["0", "2", "4"] {
        let page = system
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

    let found = system.json("search3", &[("query", "beta")]).await;
    assert_eq!(
        names(&ok(&found)["searchResult3"]["song"], "title"),
        ["Beta Song"]
    );
}

#[tokio::test]
async fn album_lists_come_in_the_asked_order() {
    let system = System::start().await;
    let list = |kind: &'static str, extra: &'static [(&'static str, &'static str)]| {
        let system = &system;
        async move {
            let mut params = vec![("type", kind)];
            params.extend_from_slice(extra);
            let body = system.json("getAlbumList2", &params).await;
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
    // No favourites yet: the documented empty list, not an error.
    assert!(list("starred", &[]).await.is_empty());

    // The pre-ID3 list: the same albums as folders.
    let older = system
        .json("getAlbumList", &[("type", "alphabeticalByName")])
        .await;
    let older = &ok(&older)["albumList"]["album"];
    assert_eq!(names(older, "title"), ["First Album", "Second Album"]);
    assert_eq!(older[0]["isDir"], true);
    let by_genre = system
        .json(
            "getSongsByGenre",
            &[("genre", "Rock"), ("count", "1"), ("offset", "1")],
        )
        .await;
    assert_eq!(
        names(&ok(&by_genre)["songsByGenre"]["song"], "title"),
        ["Alpha Two"]
    );

    let genres = system.json("getGenres", &[]).await;
    let genre = &ok(&genres)["genres"]["genre"];
    assert_eq!(names(genre, "value"), ["Jazz", "Rock"]);
    assert_eq!(genre[1]["songCount"], 2);
}

#[tokio::test]
async fn an_unknown_or_malformed_id_is_error_70() {
    let system = System::start().await;
    for id in [uuid::Uuid::new_v4().to_string(), "../../internal/x".into()] {
        for method in ["getAlbum", "getSong", "getArtist", "stream", "getCoverArt"] {
            let body = system.json(method, &[("id", &id)]).await;
            assert_eq!(body["subsonic-response"]["status"], "failed", "{method} {id}");
            assert_eq!(
                body["subsonic-response"]["error"]["code"], 70,
                "{method} {id}: {body}"
            );
        }
    }
}

/// An XML element as the JSON form carries it: attributes as text,
/// children by name as lists, the text as `value`.
pub fn xml_tree(
    reader: &mut Reader<&[u8]>,
    start: &quick_xml::events::BytesStart<'_>,
) -> BTreeMap<String, Value> {
    let mut node = BTreeMap::new();
    for attribute in start.attributes() {
        let attribute = attribute.expect("attribute");
        let key = String::from_utf8(attribute.key.as_ref().to_vec()).expect("utf-8");
        if key != "xmlns" {
            let value = attribute
                .decoded_and_normalized_value(quick_xml::XmlVersion::Explicit1_0, reader.decoder())
                .expect("value")
                .into_owned();
            node.insert(key, Value::String(value));
        }
    }
    loop {
        match reader.read_event().expect("xml") {
            Event::Start(child) => {
                let name = String::from_utf8(child.name().as_ref().to_vec()).expect("utf-8");
                let tree = xml_tree(reader, &child.into_owned());
                let list = node.entry(name).or_insert_with(|| Value::Array(Vec::new()));
                list.as_array_mut()
                    .expect("list")
                    .push(serde_json::to_value(tree).expect("value"));
            }
            Event::Text(text) => {
                let text = text.decode().expect("text").into_owned();
                node.insert("value".into(), Value::String(text));
            }
            Event::GeneralRef(reference) => {
                let entity = String::from_utf8(reference.to_vec()).expect("utf-8");
                let decoded = quick_xml::escape::unescape(&format!("&{entity};"))
                    .expect("entity")
                    .into_owned();
                let value = node
                    .entry("value".to_owned())
                    .or_insert_with(|| Value::String(String::new()));
                *value = Value::String(format!("{}{decoded}", value.as_str().unwrap_or_default()));
            }
            Event::End(_) | Event::Eof => return node,
            _ => {}
        }
    }
}

/// The JSON form with every scalar as text and every child as a list
/// (empty lists left out).
pub fn json_tree(value: &Value) -> Value {
    let mut node = serde_json::Map::new();
    for (key, member) in value.as_object().expect("an object") {
        match member {
            Value::Object(_) => {
                node.insert(key.clone(), Value::Array(vec![json_tree(member)]));
            }
            // An empty list is no element at all in XML.
            Value::Array(items) if items.is_empty() => {}
            Value::Array(items) => {
                node.insert(key.clone(), Value::Array(items.iter().map(json_tree).collect()));
            }
            Value::String(text) => {
                node.insert(key.clone(), Value::String(text.clone()));
            }
            Value::Null => {}
            scalar => {
                node.insert(key.clone(), Value::String(scalar.to_string()));
            }
        }
    }
    Value::Object(node)
}

#[tokio::test]
async fn the_xml_and_json_answers_of_one_call_carry_the_same_data() {
    let system = System::start().await;
    for (method, params) in [
        ("search3", vec![("query", ""), ("songCount", "10")]),
        ("getGenres", vec![]),
        ("getArtists", vec![]),
    ] {
        let json = system.json(method, &params).await;
        let response = system.call(method, &params, "xml").await;
        let content_type = response.headers()["content-type"]
            .to_str()
            .expect("text")
            .to_owned();
        assert!(content_type.starts_with("application/xml"), "{content_type}");
        let xml = response.text().await.expect("xml");
        let mut reader = Reader::from_str(&xml);
        let root = loop {
            match reader.read_event().expect("xml") {
                Event::Start(start) => break xml_tree(&mut reader, &start.into_owned()),
                Event::Eof => panic!("no root element: {xml}"),
                _ => {}
            }
        };
        let from_xml = serde_json::to_value(root).expect("tree");
        assert_eq!(from_xml, json_tree(&json["subsonic-response"]), "{method}: {xml}");
        assert_eq!(from_xml["status"], "ok");
        assert_eq!(from_xml["openSubsonic"], "true");
    }
}

#[tokio::test]
async fn folder_browsing_walks_artist_folders_to_album_folders_to_songs() {
    let system = System::start().await;
    let indexes = system.json("getIndexes", &[]).await;
    let index = &ok(&indexes)["indexes"]["index"];
    assert_eq!(names(index, "name"), ["A", "B"]);
    let artist = index[0]["artist"][0]["id"].as_str().expect("id").to_owned();
    let folder = system.json("getMusicDirectory", &[("id", &artist)]).await;
    let albums = &ok(&folder)["directory"]["child"];
    assert_eq!(names(albums, "title"), ["First Album"]);
    assert_eq!(albums[0]["isDir"], true);
    let album = albums[0]["id"].as_str().expect("id").to_owned();
    let folder = system.json("getMusicDirectory", &[("id", &album)]).await;
    let songs = &ok(&folder)["directory"]["child"];
    assert_eq!(names(songs, "title"), ["Alpha One", "Alpha Two"]);
    assert_eq!(songs[0]["isDir"], false);
}
