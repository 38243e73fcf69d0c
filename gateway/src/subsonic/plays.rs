//! Plays: `scrobble` and `getNowPlaying`, answered by the events service
//! (which owns the event topic and reads the live figures). `stream`
//! counts nothing: an app says what it plays with `scrobble`.

use std::collections::HashMap;

use serde_json::{Value, json};
use uuid::Uuid;

use super::{Answer, Call, data, envelope::SubsonicError, events::Events, shapes};

/// The player name given to apps that send no `c`.
const UNNAMED_CLIENT: &str = "subsonic";
/// The name shown for the web player's sessions.
const WEB_PLAYER: &str = "Tonearm web player";

impl Call<'_> {
    /// The events service as this caller.
    fn events(&self) -> Events<'_> {
        Events {
            gateway: self.gateway,
            req: self.req,
            user: self.user,
        }
    }
}

/// `scrobble` (`id` repeated, `time` repeated, `submission`): each song
/// becomes player events; `submission=false` says the app starts playing
/// it (now playing), `true` (the default) that it was played. `time` is
/// accepted and not used: events carry the time the server heard them.
pub async fn scrobble(call: &Call<'_>) -> Result<Answer, SubsonicError> {
    let ids: Vec<&str> = call.params.all("id").collect();
    if ids.is_empty() {
        return Err(SubsonicError::missing("id"));
    }
    let songs = ids
        .iter()
        .map(|id| Uuid::parse_str(id.trim()).map(|id| id.to_string()))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|_| SubsonicError::not_found("song"))?;
    let submission = call.params.get("submission").is_none_or(|value| value != "false");
    let client = call.params.get("c").unwrap_or(UNNAMED_CLIENT);
    call.events()
        .post(
            "scrobbles",
            &json!({ "songs": songs, "submission": submission, "client": client }),
        )
        .await?;
    Ok(Answer::Data(serde_json::Map::new()))
}

/// `getNowPlaying`: every signed-in user's session playing a song now, as
/// `child` entries with `username`, `minutesAgo`, `playerId` and
/// `playerName`. Anonymous listeners, and songs gone from the catalog,
/// are left out.
pub async fn now_playing(call: &Call<'_>) -> Result<Answer, SubsonicError> {
    let found = call.events().get("now-playing").await?;
    let now = chrono::Utc::now().timestamp_millis();
    let mut names: HashMap<Uuid, Option<String>> = HashMap::new();
    let mut entries = Vec::new();
    for entry in found["entries"].as_array().into_iter().flatten() {
        let Some(user) = entry["user"].as_str().and_then(|id| Uuid::parse_str(id).ok()) else {
            continue;
        };
        let name = match names.get(&user) {
            Some(name) => name.clone(),
            None => {
                let name = call
                    .gateway
                    .users
                    .by_id(user)
                    .await
                    .map_err(|_| SubsonicError::generic("the account store is unavailable"))?
                    .map(|found| found.username);
                names.insert(user, name.clone());
                name
            }
        };
        let Some(username) = name else {
            continue;
        };
        let Some(song) = entry["song"].as_str() else {
            continue;
        };
        let detail = match call.catalog().get(&format!("songs/{song}"), &[]).await {
            Ok(detail) => detail,
            Err(error) if error.code == super::envelope::Code::NotFound => continue,
            Err(error) => return Err(error),
        };
        entries.push(now_playing_entry(&detail, entry, &username, now));
    }
    Ok(data("nowPlaying", json!({ "entry": entries })))
}

/// A `nowPlayingEntry`: the song's `child` with who, since when and where.
fn now_playing_entry(detail: &Value, entry: &Value, username: &str, now_ms: i64) -> Value {
    let mut child = shapes::song(detail);
    let minutes_ago = (now_ms - entry["updated_ms"].as_i64().unwrap_or(now_ms)).max(0) / 60_000;
    let session = entry["session"].as_str().unwrap_or_default();
    let player_name = entry["client"].as_str().unwrap_or(WEB_PLAYER);
    if let Value::Object(fields) = &mut child {
        fields.insert("username".into(), username.into());
        fields.insert("minutesAgo".into(), minutes_ago.into());
        fields.insert("playerId".into(), player_id(session).into());
        fields.insert("playerName".into(), player_name.into());
    }
    child
}

/// Subsonic players have small integer ids; a session's is a stable hash
/// of its id (FNV-1a, 31 bits).
fn player_id(session: &str) -> u32 {
    let hash = session.bytes().fold(0x811c_9dc5_u32, |hash, byte| {
        (hash ^ u32::from(byte)).wrapping_mul(0x0100_0193)
    });
    hash & 0x7fff_ffff
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_says_who_since_when_and_on_what() {
        let detail = json!({ "id": "s1", "title": "Song", "duration_ms": 61_000 });
        let entry = json!({ "session": "subsonic-u-DSub", "client": "DSub", "updated_ms": 1_000 });
        let shaped = now_playing_entry(&detail, &entry, "ann", 1_000 + 150_000);
        assert_eq!(shaped["username"], "ann");
        assert_eq!(shaped["minutesAgo"], 2);
        assert_eq!(shaped["playerName"], "DSub");
        assert_eq!(shaped["title"], "Song");
        assert_eq!(shaped["playerId"], player_id("subsonic-u-DSub"));
        let web = now_playing_entry(
            &detail,
            &json!({ "session": "w", "client": null, "updated_ms": 1_000 }),
            "ann",
            1_000,
        );
        assert_eq!(web["playerName"], WEB_PLAYER);
        assert_ne!(player_id("a"), player_id("b"));
    }
}
