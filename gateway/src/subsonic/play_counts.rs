//! `playCount` and `played` on every song of an answer, and on an album or
//! folder answered with its songs (their plays summed, the latest play),
//! from the play figures in one Redis round trip per answer. Songs are
//! the `child` objects of [`super::shapes::song`] (`isDir` false,
//! `mediaType` `song`), wherever a method put them.

use std::collections::HashMap;

use chrono::{DateTime, SecondsFormat};
use serde_json::{Map, Value};

use super::play_figures::{PlayFigures, SongPlays};

/// Adds the figures to every song of `payload`. Without Redis the answer
/// goes out without them (and the cause is logged).
pub async fn add(figures: &PlayFigures, payload: &mut Map<String, Value>) {
    let mut songs = Vec::new();
    for value in payload.values() {
        collect(value, &mut songs);
    }
    songs.sort_unstable();
    songs.dedup();
    if songs.is_empty() {
        return;
    }
    let ids: Vec<&str> = songs.iter().map(String::as_str).collect();
    let plays = match figures.of_songs(&ids).await {
        Ok(plays) => plays,
        Err(error) => {
            tracing::warn!(%error, "play counts left out: the play figures are unavailable");
            return;
        }
    };
    let by_song: HashMap<String, SongPlays> = songs.into_iter().zip(plays).collect();
    for value in payload.values_mut() {
        write(value, &by_song);
    }
}

/// The id of a song `child`.
fn song_id(object: &Map<String, Value>) -> Option<&str> {
    let is_song = object.get("isDir") == Some(&Value::Bool(false))
        && object.get("mediaType").and_then(Value::as_str) == Some("song");
    if is_song { object.get("id")?.as_str() } else { None }
}

fn collect(value: &Value, songs: &mut Vec<String>) {
    match value {
        Value::Object(object) => {
            if let Some(id) = song_id(object) {
                songs.push(id.to_owned());
            }
            object.values().for_each(|inner| collect(inner, songs));
        }
        Value::Array(items) => items.iter().for_each(|item| collect(item, songs)),
        _ => {}
    }
}

fn write(value: &mut Value, plays: &HashMap<String, SongPlays>) {
    match value {
        Value::Object(object) => {
            object.values_mut().for_each(|inner| write(inner, plays));
            let found = match song_id(object) {
                Some(id) => plays.get(id).copied(),
                None => songs_total(object, plays),
            };
            if let Some(found) = found {
                put(object, found);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|item| write(item, plays)),
        _ => {}
    }
}

/// The figures of an album or folder (an object with an `id`) answered
/// with its songs (`song` or `child`), when it has any.
fn songs_total(object: &Map<String, Value>, plays: &HashMap<String, SongPlays>) -> Option<SongPlays> {
    object.get("id")?;
    let songs: Vec<SongPlays> = ["song", "child"]
        .into_iter()
        .filter_map(|key| object.get(key)?.as_array())
        .flatten()
        .filter_map(|item| song_id(item.as_object()?))
        .filter_map(|id| plays.get(id).copied())
        .collect();
    if songs.is_empty() {
        return None;
    }
    Some(SongPlays {
        count: songs.iter().map(|song| song.count).sum(),
        last_ms: songs.iter().filter_map(|song| song.last_ms).max(),
    })
}

fn put(object: &mut Map<String, Value>, plays: SongPlays) {
    object.insert("playCount".into(), plays.count.into());
    if let Some(played) = plays.last_ms.and_then(DateTime::from_timestamp_millis) {
        let text = played.to_rfc3339_opts(SecondsFormat::Millis, true);
        object.insert("played".into(), text.into());
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn song(id: &str) -> Value {
        json!({ "id": id, "isDir": false, "mediaType": "song", "title": id })
    }

    #[test]
    fn every_song_gets_its_figures_and_an_album_with_songs_their_sum() {
        let mut payload = Map::new();
        payload.insert(
            "album".into(),
            json!({ "id": "al", "name": "Album", "song": [song("a"), song("b")] }),
        );
        let mut songs = Vec::new();
        payload.values().for_each(|value| collect(value, &mut songs));
        assert_eq!(songs, ["a", "b"]);
        let plays = HashMap::from([
            (
                "a".to_owned(),
                SongPlays {
                    count: 2,
                    last_ms: Some(1_000),
                },
            ),
            (
                "b".to_owned(),
                SongPlays {
                    count: 3,
                    last_ms: None,
                },
            ),
        ]);
        payload.values_mut().for_each(|value| write(value, &plays));
        let album = &payload["album"];
        assert_eq!(album["song"][0]["playCount"], 2);
        assert_eq!(album["song"][0]["played"], "1970-01-01T00:00:01.000Z");
        assert_eq!(album["song"][1]["playCount"], 3);
        assert!(album["song"][1].get("played").is_none());
        assert_eq!(album["playCount"], 5);
        assert_eq!(album["played"], "1970-01-01T00:00:01.000Z");
    }

    #[test]
    fn folders_podcast_episodes_and_lists_without_an_id_get_no_figures() {
        let mut payload = Map::new();
        payload.insert(
            "searchResult3".into(),
            json!({
                "album": [{ "id": "al", "isDir": true, "name": "Album" }],
                "song": [{ "id": "p", "isDir": false, "mediaType": "podcast" }],
            }),
        );
        let mut songs = Vec::new();
        payload.values().for_each(|value| collect(value, &mut songs));
        assert!(songs.is_empty());
        let plays = HashMap::from([(
            "p".to_owned(),
            SongPlays {
                count: 1,
                last_ms: None,
            },
        )]);
        payload.values_mut().for_each(|value| write(value, &plays));
        assert!(payload["searchResult3"].get("playCount").is_none());
        assert!(payload["searchResult3"]["song"][0].get("playCount").is_none());
        assert!(payload["searchResult3"]["album"][0].get("playCount").is_none());
    }
}
