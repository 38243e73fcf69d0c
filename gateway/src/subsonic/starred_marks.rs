//! `starred` (when) on every song, album and artist of an answer that the
//! caller starred, as apps show a filled heart from it wherever an item
//! appears. The caller's favourites come from the catalog's
//! `GET favourites/times`, remembered per user for the account-cache
//! period and dropped when they star or unstar through this gateway's
//! adapter (a star given in the web player shows within that period).

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use serde_json::{Map, Value};
use uuid::Uuid;

use super::Call;

/// What one user starred.
#[derive(Debug, Default)]
pub struct Starred {
    /// Item id -> when it was starred (RFC 3339).
    at: HashMap<String, Value>,
    /// How many of them are artists.
    artists: usize,
}

type Times = Arc<Starred>;

/// Most users whose favourites are remembered; past it all are read afresh.
const MAX_USERS: usize = 10_000;

/// Each user's favourites as read at most `ttl` ago.
#[derive(Debug)]
pub struct StarredTimes {
    ttl: Duration,
    users: Mutex<HashMap<Uuid, (Instant, Times)>>,
}

impl StarredTimes {
    pub fn new(ttl: Duration) -> Self {
        Self {
            ttl,
            users: Mutex::default(),
        }
    }

    /// Forgets what `user` starred (they just changed it).
    pub fn forget(&self, user: Uuid) {
        if let Ok(mut users) = self.users.lock() {
            users.remove(&user);
        }
    }

    fn remembered(&self, user: Uuid) -> Option<Times> {
        let users = self.users.lock().ok()?;
        let (read_at, times) = users.get(&user)?;
        (read_at.elapsed() < self.ttl).then(|| Arc::clone(times))
    }

    fn remember(&self, user: Uuid, times: Times) {
        if let Ok(mut users) = self.users.lock() {
            if users.len() >= MAX_USERS {
                users.clear();
            }
            users.insert(user, (Instant::now(), times));
        }
    }
}

/// Adds `starred` to every object of `payload` whose `id` the caller
/// starred. Without the catalog the answer goes out without the marks.
pub async fn add(call: &Call<'_>, payload: &mut Map<String, Value>) {
    if !payload.values().any(has_ids) {
        return;
    }
    let Some(times) = of_caller(call).await else {
        return;
    };
    if !times.at.is_empty() {
        payload.values_mut().for_each(|value| mark(value, &times.at));
    }
}

/// Whether the caller starred any artist (`None` when the catalog cannot
/// say).
pub async fn any_artist(call: &Call<'_>) -> Option<bool> {
    of_caller(call).await.map(|times| times.artists > 0)
}

async fn of_caller(call: &Call<'_>) -> Option<Times> {
    let starred = &call.gateway.starred_times;
    if let Some(times) = starred.remembered(call.user.id) {
        return Some(times);
    }
    let times = read(call).await?;
    starred.remember(call.user.id, Arc::clone(&times));
    Some(times)
}

async fn read(call: &Call<'_>) -> Option<Times> {
    let found = match call.catalog().get("favourites/times", &[]).await {
        Ok(found) => found,
        Err(error) => {
            tracing::warn!(error = %error.message, "starred marks left out: favourites unavailable");
            return None;
        }
    };
    let mut times = Starred::default();
    for kind in ["songs", "albums", "artists"] {
        if let Some(items) = found[kind].as_object() {
            times
                .at
                .extend(items.iter().map(|(id, at)| (id.clone(), at.clone())));
        }
    }
    times.artists = found["artists"].as_object().map_or(0, Map::len);
    Some(Arc::new(times))
}

fn has_ids(value: &Value) -> bool {
    match value {
        Value::Object(object) => object.contains_key("id") || object.values().any(has_ids),
        Value::Array(items) => items.iter().any(has_ids),
        _ => false,
    }
}

fn mark(value: &mut Value, times: &HashMap<String, Value>) {
    match value {
        Value::Object(object) => {
            let at = object
                .get("id")
                .and_then(Value::as_str)
                .and_then(|id| times.get(id));
            if let Some(at) = at.cloned() {
                object.insert("starred".into(), at);
            }
            object.values_mut().for_each(|inner| mark(inner, times));
        }
        Value::Array(items) => items.iter_mut().for_each(|item| mark(item, times)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn starred_items_are_marked_wherever_they_appear() {
        let times = HashMap::from([
            ("s1".to_owned(), json!("2026-12-06T10:00:00Z")),
            ("al1".to_owned(), json!("2026-12-05T09:00:00Z")),
        ]);
        let mut answer = json!({ "album": { "id": "al1", "song": [{ "id": "s1" }, { "id": "s2" }] } });
        mark(&mut answer, &times);
        assert_eq!(answer["album"]["starred"], "2026-12-05T09:00:00Z");
        assert_eq!(answer["album"]["song"][0]["starred"], "2026-12-06T10:00:00Z");
        assert!(answer["album"]["song"][1].get("starred").is_none());
    }

    #[test]
    fn a_users_favourites_are_read_again_once_forgotten() {
        let starred = StarredTimes::new(Duration::from_secs(60));
        let user = Uuid::nil();
        starred.remember(user, Arc::new(Starred::default()));
        assert!(starred.remembered(user).is_some());
        starred.forget(user);
        assert!(starred.remembered(user).is_none());
    }
}
