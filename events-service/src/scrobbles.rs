//! `POST /api/events/scrobbles`: what a Subsonic app says it plays (its
//! `scrobble` calls, relayed by the gateway) becomes player events on the
//! topic like a socket's, with `source: "subsonic"`.
//!
//! One listened song counts one play whether the app sends "now playing"
//! (`submission: false`), the submission after listening, or both: "now
//! playing" publishes `play` and marks the song in
//! `{prefix}scrobble:{session}`; a submission of the marked song publishes
//! only `ended` (and clears the mark), a submission of any other song
//! `play` then `ended`. "Now playing" of the song already marked publishes
//! `resume` (a sign of life, not another play). The mark is taken and
//! cleared atomically in Redis, so replicas agree.

use std::{sync::Arc, time::Duration};

use actix_web::{HttpRequest, HttpResponse, web};
use common::{
    ApiError,
    caller::Caller,
    events::{EventType, PlayerEvent, Source},
    redis_conn::LazyRedis,
    stats_keys::StatsKeys,
};
use serde::{Deserialize, Serialize};

use crate::{
    publisher::{Publisher, spool::Record},
    songs::{Known, SongCheck},
};

/// How long a "now playing" mark waits for its submission: a submission
/// later than this counts as a play of its own.
const MARK_TTL: Duration = Duration::from_secs(3600);
/// Songs in one call (apps send a few offline plays at once).
const MAX_SONGS: usize = 50;
/// Longest player name kept in the session id.
const MAX_CLIENT: usize = 64;

/// The scrobble route's state.
pub struct ScrobbleContext {
    pub publisher: Publisher,
    pub songs: Arc<SongCheck>,
    pub redis: Arc<LazyRedis>,
    pub keys: StatsKeys,
    pub instance: String,
}

/// The body of `POST /api/events/scrobbles`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scrobble {
    /// Song ids, in the order they were played.
    songs: Vec<String>,
    /// `false`: the app starts playing (now playing); `true`: it has played.
    submission: bool,
    /// The app's name (Subsonic `c`), which tells a user's apps apart.
    client: String,
}

/// One published event, as the answer lists them.
#[derive(Debug, Serialize)]
struct Published {
    song: String,
    #[serde(rename = "type")]
    kind: &'static str,
}

/// `POST /api/events/scrobbles` -> 202 `{"session", "events": [{song, type}]}`;
/// 403 for anonymous callers, 400 for a malformed id, 404 `unknown_song`,
/// 503 when the events cannot be stored (nothing is published then).
pub async fn create(
    req: HttpRequest,
    body: web::Json<Scrobble>,
    context: web::Data<ScrobbleContext>,
) -> Result<HttpResponse, ApiError> {
    let identity = Caller::from_headers(req.headers());
    let user = identity
        .user
        .ok_or_else(|| ApiError::forbidden("scrobbling needs a signed-in user"))?;
    let body = body.into_inner();
    check_songs(&context.songs, &body.songs).await?;
    let session = session_id(&user, &body.client)?;
    let request_id = req
        .headers()
        .get(common::request_id::HEADER)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    let mut published = Vec::new();
    for song in &body.songs {
        let kinds = decide(&context, &session, song, body.submission).await?;
        for kind in kinds {
            let event = PlayerEvent::new(&session, Some(&user), kind, &context.instance)
                .at(Some(song.clone()), None)
                .from_source(Source::Subsonic);
            let record = Record {
                key: session.clone(),
                request_id: request_id.clone(),
                payload: event.encode(),
            };
            if let Err(error) = context.publisher.publish(record) {
                undo_mark(&context, &session, song, body.submission).await;
                return Err(ApiError::service_unavailable(error.code(), error.to_string()));
            }
            published.push(Published {
                song: song.clone(),
                kind: kind.as_str(),
            });
        }
    }
    Ok(HttpResponse::Accepted().json(serde_json::json!({ "session": session, "events": published })))
}

/// Every id well formed and known to the catalog (or unverifiable, as for
/// sockets), before anything is published.
async fn check_songs(check: &SongCheck, songs: &[String]) -> Result<(), ApiError> {
    if songs.is_empty() || songs.len() > MAX_SONGS {
        return Err(ApiError::bad_request(
            "invalid_songs",
            format!("songs must list 1 to {MAX_SONGS} song ids"),
        ));
    }
    for song in songs {
        if uuid::Uuid::parse_str(song).is_err() {
            return Err(ApiError::bad_request(
                "invalid_song",
                format!("{song:?} is not a song id"),
            ));
        }
        if check.check(song).await == Known::No {
            return Err(ApiError::new(
                actix_web::http::StatusCode::NOT_FOUND,
                "unknown_song",
                format!("song {song} is not in the catalog; nothing was recorded"),
            ));
        }
    }
    Ok(())
}

/// `subsonic-{user}-{client}`: one session per user and app, so one app's
/// events stay in order and two apps of a user are two players.
fn session_id(user: &str, client: &str) -> Result<String, ApiError> {
    let client: String = client
        .trim()
        .chars()
        .take(MAX_CLIENT)
        .map(|c| {
            if c.is_ascii_alphanumeric() || "._-".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    if client.is_empty() {
        return Err(ApiError::bad_request(
            "invalid_client",
            "client must name the app",
        ));
    }
    Ok(format!("subsonic-{user}-{client}"))
}

/// The app's name from a session id made by [`session_id`].
pub fn client_of<'a>(session: &'a str, user: &str) -> Option<&'a str> {
    session
        .strip_prefix("subsonic-")?
        .strip_prefix(user)?
        .strip_prefix('-')
}

/// The events one scrobble of `song` becomes, taking or clearing the mark.
async fn decide(
    context: &ScrobbleContext,
    session: &str,
    song: &str,
    submission: bool,
) -> Result<Vec<EventType>, ApiError> {
    let key = context.keys.now_playing_mark(session);
    let mut connection = context.redis.get().await.map_err(unavailable)?;
    let result = if submission {
        // Clears the mark only when it names this song.
        redis::Script::new(CLEAR_IF)
            .key(&key)
            .arg(song)
            .invoke_async::<i64>(&mut connection)
            .await
            .map(|cleared| {
                if cleared == 1 {
                    vec![EventType::Ended]
                } else {
                    vec![EventType::Play, EventType::Ended]
                }
            })
    } else {
        redis::cmd("SET")
            .arg(&key)
            .arg(song)
            .arg("EX")
            .arg(MARK_TTL.as_secs())
            .arg("GET")
            .query_async::<Option<String>>(&mut connection)
            .await
            .map(|before| {
                if before.as_deref() == Some(song) {
                    vec![EventType::Resume]
                } else {
                    vec![EventType::Play]
                }
            })
    };
    result.map_err(unavailable)
}

const CLEAR_IF: &str =
    "if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) return 1 end return 0";

/// After a refused publish, puts the mark back as the app will see it when
/// it retries: a now playing not published leaves no mark (its retry
/// counts the play), a submission not published leaves the song marked.
async fn undo_mark(context: &ScrobbleContext, session: &str, song: &str, submission: bool) {
    let key = context.keys.now_playing_mark(session);
    let Ok(mut connection) = context.redis.get().await else {
        return;
    };
    let undone: redis::RedisResult<()> = if submission {
        redis::cmd("SET")
            .arg(&key)
            .arg(song)
            .arg("EX")
            .arg(MARK_TTL.as_secs())
            .query_async(&mut connection)
            .await
    } else {
        redis::cmd("DEL").arg(&key).query_async(&mut connection).await
    };
    if let Err(error) = undone {
        tracing::warn!(%error, "could not restore a now playing mark after a refused event");
    }
}

fn unavailable(error: redis::RedisError) -> ApiError {
    tracing::warn!(%error, "redis unavailable for a scrobble");
    ApiError::service_unavailable(
        "redis_unavailable",
        "plays cannot be recorded right now; nothing was recorded, try again",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_session_is_one_app_of_one_user() {
        let session = session_id("u-1", " DSub 5.5 ").expect("a session");
        assert_eq!(session, "subsonic-u-1-DSub_5.5");
        assert_eq!(client_of(&session, "u-1"), Some("DSub_5.5"));
        assert_eq!(client_of(&session, "u-2"), None);
        assert!(session_id("u-1", "  ").is_err());
    }
}
