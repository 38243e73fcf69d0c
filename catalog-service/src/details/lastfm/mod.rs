//! The Last.fm details provider: track, album and artist details (summary, tags,
//! images, listeners, similar artists), cached in PostgreSQL with a TTL.
//! Without an API key it is off and says so in every details answer.

pub mod client;
mod shape;

use std::time::Duration;

use futures_util::future::BoxFuture;
use serde_json::{Value, json};
use sqlx::PgPool;

use super::DetailsProvider;
use crate::{
    domain::{Subject, UNKNOWN_ALBUM, UNKNOWN_ARTIST},
    store::lastfm_cache as cache,
};
use client::{Answer, Client};

/// Last.fm details, or a clear "not configured".
pub struct Lastfm {
    client: Option<Client>,
    pool: PgPool,
    ttl: Duration,
}

impl Lastfm {
    /// `client` is `None` without an API key.
    pub fn new(client: Option<Client>, pool: PgPool, ttl: Duration) -> Self {
        Self { client, pool, ttl }
    }

    /// The answer for one call, from the cache when fresh.
    async fn lookup(&self, client: &Client, method: &str, params: &[(&str, &str)]) -> Answer {
        let key = format!(
            "{method}|{}",
            params
                .iter()
                .map(|(_, value)| crate::domain::ids::normalise(value))
                .collect::<Vec<_>>()
                .join("|")
        );
        match cache::get(&self.pool, &key, self.ttl).await {
            Ok(Some(body)) => return client::interpret(body.to_string().as_bytes()),
            Ok(None) => {}
            Err(error) => tracing::warn!(%error, "reading the Last.fm cache failed"),
        }
        let answer = client.call(method, params).await;
        if answer.cacheable() {
            let body = match &answer {
                Answer::Found(value) => value.clone(),
                _ => json!({"error": 6, "message": "not found"}),
            };
            if let Err(error) = cache::put(&self.pool, &key, &body).await {
                tracing::warn!(%error, "writing the Last.fm cache failed");
            }
        }
        answer
    }
}

/// A Last.fm call: method, root object of the answer, parameters.
type Request = (&'static str, &'static str, Vec<(&'static str, String)>);

/// What to ask Last.fm about a subject; `None` for the "Unknown" groups.
fn request(subject: Subject<'_>) -> Option<Request> {
    let known = |name: &str, unknown: &str| name != unknown;
    match subject {
        Subject::Song(song) if known(&song.artist, UNKNOWN_ARTIST) => Some((
            "track.getInfo",
            "track",
            vec![
                ("artist", song.artists.first().cloned().unwrap_or_default()),
                ("track", song.title.clone()),
            ],
        )),
        Subject::Album(album)
            if known(&album.title, UNKNOWN_ALBUM) && known(&album.artist, UNKNOWN_ARTIST) =>
        {
            Some((
                "album.getInfo",
                "album",
                vec![("artist", album.artist.clone()), ("album", album.title.clone())],
            ))
        }
        Subject::Artist(artist) if known(&artist.name, UNKNOWN_ARTIST) => {
            Some(("artist.getInfo", "artist", vec![("artist", artist.name.clone())]))
        }
        _ => None,
    }
}

impl DetailsProvider for Lastfm {
    fn name(&self) -> &'static str {
        "lastfm"
    }

    fn details<'a>(&'a self, subject: Subject<'a>) -> BoxFuture<'a, Option<Value>> {
        Box::pin(async move {
            let Some(client) = &self.client else {
                return Some(json!({"status": "not_configured"}));
            };
            let (method, root, params) = request(subject)?;
            let params: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let answer = self.lookup(client, method, &params).await;
            let mut value = match &answer {
                Answer::Found(body) => shape::details(body, root),
                _ => json!({}),
            };
            value["status"] = Value::from(answer.status());
            Some(value)
        })
    }
}
