//! `GET /api/events/now-playing` (signed-in users): who is playing what
//! right now, read from the live figures (`{prefix}playing` and each
//! session's hash, see docs/redis-keys.md). Subsonic's `getNowPlaying`
//! is answered from it.

use std::{sync::Arc, time::Duration};

use actix_web::{HttpRequest, HttpResponse, web};
use chrono::Utc;
use common::{ApiError, caller::Caller, stats_keys::StatsKeys};
use serde::Serialize;

use common::redis_conn::LazyRedis;

use crate::scrobbles::client_of;

/// A Subsonic app says nothing while a song plays, so its session stays
/// "now playing" this long after its last word (a socket sends
/// heartbeats, and counts within the presence window).
pub const SUBSONIC_WINDOW: Duration = Duration::from_secs(600);
/// Entries in one answer.
const MAX_ENTRIES: isize = 500;

/// The route's state.
pub struct NowPlayingContext {
    pub redis: Arc<LazyRedis>,
    pub keys: StatsKeys,
    pub presence_timeout: Duration,
}

/// One session playing a song.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct Entry {
    /// The user's id; `null` for anonymous listeners.
    user: Option<String>,
    song: String,
    session: String,
    /// `socket` or `subsonic`.
    source: String,
    /// The Subsonic app's name; `null` for sockets.
    client: Option<String>,
    /// When the session last said something (ms since the epoch).
    updated_ms: i64,
    /// Where it was, as last said (ms).
    position_ms: Option<u64>,
}

/// `GET /api/events/now-playing` -> 200 `{"entries": [...]}`, most recent
/// first; 403 for anonymous callers.
pub async fn get(req: HttpRequest, context: web::Data<NowPlayingContext>) -> Result<HttpResponse, ApiError> {
    if Caller::from_headers(req.headers()).user.is_none() {
        return Err(ApiError::forbidden("now playing is for signed-in users"));
    }
    let entries = read(&context).await.map_err(|error| {
        tracing::warn!(%error, "redis unavailable for now playing");
        ApiError::service_unavailable(
            "redis_unavailable",
            "now playing is unavailable right now; try again",
        )
    })?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "entries": entries })))
}

async fn read(context: &NowPlayingContext) -> redis::RedisResult<Vec<Entry>> {
    let now = Utc::now().timestamp_millis();
    let widest = SUBSONIC_WINDOW.max(context.presence_timeout);
    let since = now - i64::try_from(widest.as_millis()).unwrap_or(i64::MAX);
    let mut connection = context.redis.get().await?;
    let sessions: Vec<String> = redis::cmd("ZREVRANGEBYSCORE")
        .arg(context.keys.playing())
        .arg("+inf")
        .arg(since)
        .arg("LIMIT")
        .arg(0)
        .arg(MAX_ENTRIES)
        .query_async(&mut connection)
        .await?;
    if sessions.is_empty() {
        return Ok(Vec::new());
    }
    let mut pipe = redis::pipe();
    for session in &sessions {
        pipe.hgetall(context.keys.session(session));
    }
    let hashes: Vec<std::collections::HashMap<String, String>> = pipe.query_async(&mut connection).await?;
    let presence = i64::try_from(context.presence_timeout.as_millis()).unwrap_or(i64::MAX);
    Ok(sessions
        .into_iter()
        .zip(hashes)
        .filter_map(|(session, hash)| entry(session, &hash, now, presence))
        .collect())
}

/// The entry of a session still playing within its window.
fn entry(
    session: String,
    hash: &std::collections::HashMap<String, String>,
    now: i64,
    presence_ms: i64,
) -> Option<Entry> {
    if hash.get("state").map(String::as_str) != Some("playing") {
        return None;
    }
    let song = hash.get("song").filter(|song| !song.is_empty())?.clone();
    let updated_ms: i64 = hash.get("updated")?.parse().ok()?;
    let source = hash.get("source").cloned().unwrap_or_else(|| "socket".into());
    let window = if source == "subsonic" {
        i64::try_from(SUBSONIC_WINDOW.as_millis()).unwrap_or(i64::MAX)
    } else {
        presence_ms
    };
    if now - updated_ms > window {
        return None;
    }
    let user = hash.get("user").cloned();
    let client = match (&user, source.as_str()) {
        (Some(user), "subsonic") => client_of(&session, user).map(str::to_owned),
        _ => None,
    };
    Some(Entry {
        user,
        song,
        client,
        source,
        position_ms: hash.get("position").and_then(|p| p.parse().ok()),
        session,
        updated_ms,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hash(pairs: &[(&str, &str)]) -> std::collections::HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn a_quiet_app_stays_longer_than_a_quiet_socket() {
        let now = 1_000_000_000;
        let two_minutes_ago = (now - 120_000).to_string();
        let app = hash(&[
            ("state", "playing"),
            ("song", "s"),
            ("updated", &two_minutes_ago),
            ("source", "subsonic"),
            ("user", "u"),
        ]);
        let found = entry("subsonic-u-DSub".into(), &app, now, 45_000).expect("the app is listed");
        assert_eq!(found.client.as_deref(), Some("DSub"));
        let socket = hash(&[("state", "playing"), ("song", "s"), ("updated", &two_minutes_ago)]);
        assert_eq!(entry("web".into(), &socket, now, 45_000), None);
        let paused = hash(&[("state", "paused"), ("song", "s"), ("updated", &now.to_string())]);
        assert_eq!(entry("web".into(), &paused, now, 45_000), None);
    }
}
