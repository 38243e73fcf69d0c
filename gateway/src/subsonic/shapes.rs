//! Catalog JSON to Subsonic shapes (`child`, `albumID3`, `artistID3`).
//! Ids are Tonearm's own; covers are asked for by the song or album id.

use serde_json::{Map, Value, json};

/// Inserts `value` under `key` unless it is null.
fn put(object: &mut Map<String, Value>, key: &str, value: &Value) {
    if !value.is_null() {
        object.insert(key.into(), value.clone());
    }
}

fn seconds(duration_ms: &Value) -> Value {
    duration_ms.as_i64().map_or(Value::Null, |ms| json!(ms / 1000))
}

/// A catalog song (list or detail form) as a Subsonic `child`.
pub fn song(song: &Value) -> Value {
    let mut child = Map::new();
    put(&mut child, "id", &song["id"]);
    put(&mut child, "parent", &song["album"]["id"]);
    child.insert("isDir".into(), false.into());
    put(&mut child, "title", &song["title"]);
    put(&mut child, "album", &song["album"]["title"]);
    put(&mut child, "artist", &song["artist"]);
    put(&mut child, "track", &song["track_number"]);
    put(&mut child, "discNumber", &song["disc_number"]);
    put(&mut child, "year", &song["year"]);
    put(&mut child, "genre", &song["genres"][0]);
    if song["cover_url"].is_string() {
        put(&mut child, "coverArt", &song["id"]);
    }
    put(&mut child, "duration", &seconds(&song["duration_ms"]));
    put(&mut child, "size", &song["size_bytes"]);
    put(&mut child, "contentType", &song["content_type"]);
    put(&mut child, "bitRate", &song["bitrate_kbps"]);
    put(&mut child, "samplingRate", &song["sample_rate"]);
    put(&mut child, "channelCount", &song["channels"]);
    if let Some(suffix) = song["file_name"].as_str().and_then(|name| name.rsplit_once('.')) {
        child.insert("suffix".into(), suffix.1.to_ascii_lowercase().into());
    }
    put(&mut child, "albumId", &song["album"]["id"]);
    put(&mut child, "artistId", &song["artists"][0]["id"]);
    child.insert("type".into(), "music".into());
    child.insert("mediaType".into(), "song".into());
    child.insert("isVideo".into(), false.into());
    put(&mut child, "created", &song["added_at"]);
    Value::Object(child)
}

/// A catalog album (list or detail form) as `albumID3`.
pub fn album(album: &Value) -> Value {
    let mut out = Map::new();
    put(&mut out, "id", &album["id"]);
    put(&mut out, "name", &album["title"]);
    put(&mut out, "artist", &album["artist"]["name"]);
    put(&mut out, "artistId", &album["artist"]["id"]);
    if album["cover_url"].is_string() {
        put(&mut out, "coverArt", &album["id"]);
    }
    put(&mut out, "songCount", &album["song_count"]);
    put(&mut out, "duration", &seconds(&album["duration_ms"]));
    put(&mut out, "year", &album["year"]);
    Value::Object(out)
}

/// A search hit for an album (`{id, name, artist}`) as `albumID3`.
pub fn album_hit(hit: &Value) -> Value {
    let mut out = Map::new();
    put(&mut out, "id", &hit["id"]);
    put(&mut out, "name", &hit["name"]);
    put(&mut out, "artist", &hit["artist"]);
    put(&mut out, "coverArt", &hit["id"]);
    Value::Object(out)
}

/// A catalog artist (or search hit) as `artistID3`.
pub fn artist(artist: &Value) -> Value {
    let mut out = Map::new();
    put(&mut out, "id", &artist["id"]);
    put(&mut out, "name", &artist["name"]);
    put(&mut out, "albumCount", &artist["album_count"]);
    Value::Object(out)
}

/// The index letter of a name: its first letter upper-cased, `#` for
/// anything else.
pub fn index_letter(name: &str) -> String {
    match name.chars().next() {
        Some(c) if c.is_alphabetic() => c.to_uppercase().collect(),
        _ => "#".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_song_maps_to_a_child_without_nulls() {
        let child = song(&json!({
            "id": "s1", "title": "Jóga", "artist": "Björk", "artists": [{"id": "a1", "name": "Björk"}],
            "album": {"id": "al1", "title": "Homogenic", "artist": "Björk"}, "track_number": 2,
            "disc_number": null, "year": 1997, "genres": ["Electronic"], "duration_ms": 305_000,
            "cover_url": "/c", "file_name": "02 Jóga.FLAC", "added_at": "2026-11-25T14:00:00Z"
        }));
        assert_eq!(child["duration"], 305);
        assert_eq!(child["genre"], "Electronic");
        assert_eq!(child["suffix"], "flac");
        assert_eq!(child["artistId"], "a1");
        assert!(child.get("discNumber").is_none());
    }

    #[test]
    fn names_index_by_their_first_letter() {
        assert_eq!(index_letter("björk"), "B");
        assert_eq!(index_letter("2Pac"), "#");
    }
}
