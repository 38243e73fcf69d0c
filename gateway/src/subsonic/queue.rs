//! The saved play queue: `getPlayQueue` and `savePlayQueue`, answered from
//! the catalog's `play-queue` route, so an app and the web player share it.

use reqwest::Method;
use serde_json::{Map, Value, json};

use super::{Answer, Call, data, envelope::SubsonicError, shapes};

/// `getPlayQueue`: `playQueue` `{entry, current, position, username,
/// changed, changedBy}`; the envelope alone when nothing was ever saved.
pub async fn get(call: &Call<'_>) -> Result<Answer, SubsonicError> {
    let queue = call.catalog().get("play-queue", &[]).await?;
    if queue["changed_at"].is_null() {
        return Ok(Answer::Data(Map::new()));
    }
    let mut out = Map::new();
    let entry: Vec<Value> = queue["songs"]
        .as_array()
        .map(|songs| songs.iter().map(shapes::song).collect())
        .unwrap_or_default();
    out.insert("entry".into(), Value::Array(entry));
    if queue["current"].is_string() {
        out.insert("current".into(), queue["current"].clone());
    }
    out.insert("position".into(), queue["position_ms"].clone());
    out.insert("username".into(), call.user.username.clone().into());
    out.insert("changed".into(), queue["changed_at"].clone());
    out.insert(
        "changedBy".into(),
        queue["changed_by"].as_str().unwrap_or_default().into(),
    );
    Ok(data("playQueue", Value::Object(out)))
}

/// `savePlayQueue`: `id`s in order (none clears the queue), `current` (one
/// of them), `position` in milliseconds; the app's `c` is remembered as
/// `changedBy`.
pub async fn save(call: &Call<'_>) -> Result<Answer, SubsonicError> {
    let params = call.params;
    let songs: Vec<String> = params.ids("id")?.iter().map(ToString::to_string).collect();
    // A `current` outside the queue is dropped rather than refused: the
    // queue itself is what the user would lose.
    let current = match params.get("current").map(str::trim).filter(|c| !c.is_empty()) {
        Some(_) => Some(params.id("current")?.to_string()).filter(|current| songs.contains(current)),
        None => None,
    };
    let position = params.number("position", 0).max(0);
    let client: Option<String> = params.get("c").map(|c| c.chars().take(100).collect());
    let body = json!({ "songs": songs, "current": current, "position_ms": position, "client": client });
    call.catalog()
        .send(Method::PUT, "play-queue", Some(&body))
        .await?;
    Ok(Answer::Data(Map::new()))
}
