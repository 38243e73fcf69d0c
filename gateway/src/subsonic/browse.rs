//! Browsing by tags: `getArtists`, `getArtist`, `getAlbum`, `getSong`,
//! `getGenres`, answered from the catalog's `artists`, `albums`, `songs`
//! and `genres` routes.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::{Answer, Call, data, envelope::SubsonicError, shapes};

/// Every artist, grouped by first letter, from the catalog's artist index
/// (one call, whatever the size of the library).
pub async fn artists(call: &Call<'_>) -> Result<Answer, SubsonicError> {
    let artists = call.catalog().get_kept("artists/index").await?;
    let mut groups: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for artist in artists.as_array().map(Vec::as_slice).unwrap_or_default() {
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
    Ok(data("artists", json!({ "ignoredArticles": "", "index": index })))
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
