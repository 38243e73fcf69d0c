//! Playlists: `getPlaylists`, `getPlaylist`, `createPlaylist`,
//! `updatePlaylist`, `deletePlaylist`, answered from the catalog's
//! `playlists` routes. The catalog names owners by account id; their
//! usernames come from the gateway's accounts.

use std::collections::{BTreeSet, HashMap};

use futures_util::future::join_all;
use reqwest::Method;
use serde_json::{Map, Value, json};

use super::{Answer, Call, data, envelope::SubsonicError, shapes};

/// Usernames of the owners of `playlists`, by account id.
async fn owners(call: &Call<'_>, playlists: &[&Value]) -> HashMap<String, String> {
    let ids: BTreeSet<uuid::Uuid> = playlists
        .iter()
        .filter_map(|playlist| playlist["owner"]["id"].as_str())
        .filter_map(|id| uuid::Uuid::parse_str(id).ok())
        .collect();
    let found = join_all(ids.iter().map(|id| call.gateway.users.by_id(*id))).await;
    found
        .into_iter()
        .filter_map(|user| user.ok().flatten())
        .map(|user| (user.id.to_string(), user.username))
        .collect()
}

/// A catalog playlist as a Subsonic `playlist` (without songs).
fn shape(playlist: &Value, owners: &HashMap<String, String>) -> Value {
    let owner_id = playlist["owner"]["id"].as_str().unwrap_or_default();
    let mut out = Map::new();
    out.insert("id".into(), playlist["id"].clone());
    out.insert("name".into(), playlist["name"].clone());
    if playlist["comment"].is_string() {
        out.insert("comment".into(), playlist["comment"].clone());
    }
    // An account deleted since keeps its playlists under its id.
    let owner = owners.get(owner_id).map_or(owner_id, String::as_str);
    out.insert("owner".into(), owner.into());
    out.insert("public".into(), playlist["public"].clone());
    out.insert("songCount".into(), playlist["song_count"].clone());
    out.insert(
        "duration".into(),
        json!(playlist["duration_ms"].as_i64().unwrap_or(0) / 1000),
    );
    out.insert("created".into(), playlist["created_at"].clone());
    out.insert("changed".into(), playlist["updated_at"].clone());
    Value::Object(out)
}

/// A playlist with its songs as `entry`; its cover is the first song's.
async fn with_entries(call: &Call<'_>, playlist: &Value) -> Value {
    let owners = owners(call, &[playlist]).await;
    let mut out = shape(playlist, &owners);
    let songs = playlist["songs"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default();
    if let Some(cover) = songs.iter().find(|song| song["cover_url"].is_string()) {
        out["coverArt"] = cover["id"].clone();
    }
    out["entry"] = Value::Array(songs.iter().map(shapes::song).collect());
    out
}

/// `getPlaylists`: the caller's playlists and everyone's public ones, by
/// name (`username` is not supported: a user sees what they may read).
pub async fn list(call: &Call<'_>) -> Result<Answer, SubsonicError> {
    let found = call.catalog().get("playlists", &[]).await?;
    let items: Vec<&Value> = found["items"]
        .as_array()
        .map(|items| items.iter().collect())
        .unwrap_or_default();
    let owners = owners(call, &items).await;
    let playlist: Vec<Value> = items.iter().map(|playlist| shape(playlist, &owners)).collect();
    Ok(data("playlists", json!({ "playlist": playlist })))
}

/// `getPlaylist` (`id`): the playlist with its songs in order.
pub async fn get(call: &Call<'_>) -> Result<Answer, SubsonicError> {
    let id = call.params.id("id")?;
    let found = call.catalog().get(&format!("playlists/{id}"), &[]).await?;
    Ok(data("playlist", with_entries(call, &found).await))
}

/// `createPlaylist`: `name` and `songId`s make a new playlist;
/// `playlistId` and `songId`s replace an existing one's songs (and `name`,
/// if given, renames it). Answers the playlist.
pub async fn create(call: &Call<'_>) -> Result<Answer, SubsonicError> {
    let params = call.params;
    let songs: Vec<String> = params.ids("songId")?.iter().map(ToString::to_string).collect();
    let catalog = call.catalog();
    let answer = match params.get("playlistId") {
        Some(_) => {
            let id = params.id("playlistId")?;
            if let Some(name) = params.get("name") {
                let path = format!("playlists/{id}");
                catalog
                    .send(Method::PATCH, &path, Some(&json!({ "name": name })))
                    .await?;
            }
            let path = format!("playlists/{id}/songs");
            catalog
                .send(Method::PUT, &path, Some(&json!({ "songs": songs })))
                .await?
        }
        None => {
            let name = params.required("name")?;
            let body = json!({ "name": name, "songs": songs });
            catalog.send(Method::POST, "playlists", Some(&body)).await?
        }
    };
    let playlist = answer.ok_or_else(|| SubsonicError::generic("the catalog answered no playlist"))?;
    Ok(data("playlist", with_entries(call, &playlist).await))
}

/// `updatePlaylist` (`playlistId`): `name`, `comment`, `public`, then
/// `songIndexToRemove` (indexes in the order before the change) and
/// `songIdToAdd` (appended).
pub async fn update(call: &Call<'_>) -> Result<Answer, SubsonicError> {
    let params = call.params;
    let id = params.id("playlistId")?;
    let catalog = call.catalog();
    let mut change = Map::new();
    for name in ["name", "comment"] {
        if let Some(value) = params.get(name) {
            change.insert(name.into(), value.into());
        }
    }
    if let Some(public) = params.get("public") {
        change.insert("public".into(), public.trim().eq_ignore_ascii_case("true").into());
    }
    if !change.is_empty() {
        let path = format!("playlists/{id}");
        catalog
            .send(Method::PATCH, &path, Some(&Value::Object(change)))
            .await?;
    }
    let removed = params
        .all("songIndexToRemove")
        .map(|index| index.trim().parse::<usize>())
        .collect::<Result<BTreeSet<usize>, _>>()
        .map_err(|_| SubsonicError::generic("songIndexToRemove: expected a whole number from 0"))?;
    let added: Vec<String> = params
        .ids("songIdToAdd")?
        .iter()
        .map(ToString::to_string)
        .collect();
    let path = format!("playlists/{id}/songs");
    if !removed.is_empty() {
        let found = catalog.get(&format!("playlists/{id}"), &[]).await?;
        let mut songs: Vec<String> = found["songs"]
            .as_array()
            .map(|songs| {
                songs
                    .iter()
                    .enumerate()
                    .filter(|(index, _)| !removed.contains(index))
                    .filter_map(|(_, song)| song["id"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        songs.extend(added);
        catalog
            .send(Method::PUT, &path, Some(&json!({ "songs": songs })))
            .await?;
    } else if !added.is_empty() {
        catalog
            .send(Method::POST, &path, Some(&json!({ "songs": added })))
            .await?;
    }
    Ok(Answer::Data(Map::new()))
}

/// `deletePlaylist` (`id`).
pub async fn delete(call: &Call<'_>) -> Result<Answer, SubsonicError> {
    let id = call.params.id("id")?;
    call.catalog()
        .send(Method::DELETE, &format!("playlists/{id}"), None)
        .await?;
    Ok(Answer::Data(Map::new()))
}
