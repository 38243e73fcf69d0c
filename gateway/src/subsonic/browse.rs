//! Browsing by tags: `getArtists`, `getArtist`, `getAlbum`, `getSong`,
//! `getGenres`, answered from the catalog's `artists`, `albums`, `songs`
//! and `genres` routes.

use std::collections::BTreeMap;

use actix_web::{HttpResponse, web::Bytes};

use serde_json::{Map, Value, json};

use super::{
    Answer, Call, data,
    envelope::{self, Format, SubsonicError},
    shapes, starred_marks,
};

/// `getArtists`: every artist, grouped by first letter. While the caller
/// starred no artist the answer is the same for everyone, so it is written
/// once per artist index (its `ETag`) and format and sent again as is.
pub async fn artists(call: &Call<'_>) -> Result<Answer, SubsonicError> {
    let (etag, list) = call.catalog().get_kept("artists/index").await?;
    let format = Format::from_params(call.params.get("f"), call.params.get("callback"));
    let shared = match (&etag, &format) {
        (Some(etag), Format::Xml | Format::Json) if starred_marks::any_artist(call).await == Some(false) => {
            Some(etag)
        }
        _ => None,
    };
    let Some(etag) = shared else {
        return Ok(data("artists", artist_index(&list)));
    };
    let kept = &call.gateway.kept_lists;
    let key = format!("getArtists {format:?}");
    let (content_type, text) = match kept.written(&key, etag) {
        Some(written) => written,
        None => {
            let mut payload = Map::new();
            payload.insert("artists".into(), artist_index(&list));
            let (content_type, text) = envelope::ok_written(&format, payload);
            let written = (content_type, Bytes::from(text));
            kept.keep_written(&key, etag.clone(), written.clone());
            written
        }
    };
    Ok(Answer::Raw(
        HttpResponse::Ok().content_type(content_type).body(text),
    ))
}

/// `getIndexes`' and `getArtists`' artists: `{ignoredArticles, index}`.
pub async fn artists_payload(call: &Call<'_>) -> Result<Value, SubsonicError> {
    let (_, list) = call.catalog().get_kept("artists/index").await?;
    Ok(artist_index(&list))
}

/// The artist index of the catalog grouped by first letter.
fn artist_index(list: &Value) -> Value {
    let mut groups: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for artist in list.as_array().map(Vec::as_slice).unwrap_or_default() {
        let name = artist["name"].as_str().unwrap_or_default();
        groups
            .entry(shapes::index_letter(name))
            .or_default()
            .push(shapes::artist(artist));
    }
    let index: Vec<Value> = groups
        .into_iter()
        .map(|(name, artist)| json!({ "name": name, "artist": artist }))
        .collect();
    json!({ "ignoredArticles": "", "index": index })
}

/// One artist with their albums.
pub async fn artist(call: &Call<'_>) -> Result<Answer, SubsonicError> {
    let id = call.params.id("id")?;
    let found = call.catalog().get(&format!("artists/{id}"), &[]).await?;
    let mut artist = shapes::artist(&found);
    let albums: Vec<Value> = found["albums"]
        .as_array()
        .map(|albums| albums.iter().map(shapes::album).collect())
        .unwrap_or_default();
    artist["albumCount"] = json!(albums.len());
    artist["album"] = Value::Array(albums);
    Ok(data("artist", artist))
}

/// One album with its songs in disc and track order.
pub async fn album(call: &Call<'_>) -> Result<Answer, SubsonicError> {
    let id = call.params.id("id")?;
    let found = call.catalog().get(&format!("albums/{id}"), &[]).await?;
    let mut album = shapes::album(&found);
    album["song"] = found["songs"]
        .as_array()
        .map(|songs| Value::Array(songs.iter().map(shapes::song).collect()))
        .unwrap_or_else(|| json!([]));
    Ok(data("album", album))
}

/// One song.
pub async fn song(call: &Call<'_>) -> Result<Answer, SubsonicError> {
    let id = call.params.id("id")?;
    let found = call.catalog().get(&format!("songs/{id}"), &[]).await?;
    Ok(data("song", shapes::song(&found)))
}

/// Every genre with its song count (Tonearm does not count albums per
/// genre: `albumCount` is 0).
pub async fn genres(call: &Call<'_>) -> Result<Answer, SubsonicError> {
    let found = call.catalog().get("genres", &[]).await?;
    let genres: Vec<Value> = found
        .as_array()
        .map(|genres| {
            genres
                .iter()
                .map(|genre| json!({ "value": genre["name"], "songCount": genre["song_count"], "albumCount": 0 }))
                .collect()
        })
        .unwrap_or_default();
    Ok(data("genres", json!({ "genre": genres })))
}
