//! Sessions in Redis: `{prefix}auth:session:{id}` holds the JSON
//! [`SessionData`] with a sliding TTL (every use extends it), and
//! `{prefix}auth:user:{user_id}:sessions` is the set of a user's session
//! ids, so disabling a user can end all of them. Every use of a session
//! also puts it back in the set and keeps the set alive at least as long
//! as the session: a set that expired before its sessions would leave
//! them out of reach of a disable, delete or password reset.

use std::time::Duration;

use anyhow::Context as _;
use common::{redis_client::Keys, redis_conn::LazyRedis};
use redis::{AsyncCommands as _, Script};
use uuid::Uuid;

use super::{Session, SessionData, password};

/// Reads a session and extends its TTL (`GETEX`), then makes sure the
/// user's set holds it and outlives it. The set's key is built here from
/// the session's `user_id` (ARGV[2] and ARGV[3] are the key's parts), so
/// all of it is one round trip.
const TOUCH: &str = r"
local json = redis.call('GETEX', KEYS[1], 'EX', ARGV[1])
if not json then return false end
local ok, data = pcall(cjson.decode, json)
if ok and type(data) == 'table' and type(data.user_id) == 'string' then
  local set = ARGV[2] .. data.user_id .. ARGV[3]
  redis.call('SADD', set, ARGV[4])
  local ttl = redis.call('TTL', set)
  if ttl < tonumber(ARGV[1]) then redis.call('EXPIRE', set, ARGV[1]) end
end
return json
";

/// Where sessions live.
pub struct SessionStore {
    redis: std::sync::Arc<LazyRedis>,
    keys: Keys,
    ttl: Duration,
    touch: Script,
}

/// Session ids are 64 lower-case hex digits; anything else is not looked up.
pub fn is_well_formed(id: &str) -> bool {
    id.len() == 64
        && id
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

impl SessionStore {
    pub fn new(redis: std::sync::Arc<LazyRedis>, keys: Keys, ttl: Duration) -> Self {
        Self {
            redis,
            keys,
            ttl,
            touch: Script::new(TOUCH),
        }
    }

    fn session_key(&self, id: &str) -> String {
        self.keys.key(&format!("auth:session:{id}"))
    }

    fn user_key(&self, user_id: Uuid) -> String {
        self.keys.key(&format!("auth:user:{user_id}:sessions"))
    }

    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    /// Stores a new session and returns it.
    pub async fn create(&self, data: SessionData) -> anyhow::Result<Session> {
        let id = password::session_id()?;
        let json = serde_json::to_string(&data).context("serialising a session")?;
        let ttl = self.ttl.as_secs();
        let mut redis = self.redis.get().await.context("connecting to Redis")?;
        redis::pipe()
            .atomic()
            .set_ex(self.session_key(&id), json, ttl)
            .sadd(self.user_key(data.user_id), &id)
            .expire(self.user_key(data.user_id), ttl as i64)
            .query_async::<()>(&mut redis)
            .await
            .context("storing a session")?;
        Ok(Session { id, data })
    }

    /// The live session with this id, its TTL extended; `None` when it is
    /// unknown, expired or malformed.
    pub async fn get(&self, id: &str) -> anyhow::Result<Option<Session>> {
        if !is_well_formed(id) {
            return Ok(None);
        }
        let mut redis = self.redis.get().await.context("connecting to Redis")?;
        let json: Option<String> = self
            .touch
            .key(self.session_key(id))
            .arg(self.ttl.as_secs())
            .arg(self.keys.key("auth:user:"))
            .arg(":sessions")
            .arg(id)
            .invoke_async(&mut redis)
            .await
            .context("reading a session")?;
        let Some(json) = json else { return Ok(None) };
        match serde_json::from_str::<SessionData>(&json) {
            Ok(data) => Ok(Some(Session {
                id: id.to_owned(),
                data,
            })),
            Err(error) => {
                tracing::warn!(%error, "unreadable session data; treating it as signed out");
                Ok(None)
            }
        }
    }

    /// Ends one session.
    pub async fn delete(&self, session: &Session) -> anyhow::Result<()> {
        let mut redis = self.redis.get().await.context("connecting to Redis")?;
        redis::pipe()
            .atomic()
            .del(self.session_key(&session.id))
            .srem(self.user_key(session.data.user_id), &session.id)
            .query_async::<()>(&mut redis)
            .await
            .context("deleting a session")
    }

    /// Ends every session of a user but `keep` (the caller's own, when a
    /// user changes their password).
    pub async fn end_all_for_user(&self, user_id: Uuid, keep: Option<&str>) -> anyhow::Result<()> {
        let mut redis = self.redis.get().await.context("connecting to Redis")?;
        let ids: Vec<String> = redis
            .smembers(self.user_key(user_id))
            .await
            .context("listing a user's sessions")?;
        let mut pipe = redis::pipe();
        pipe.atomic();
        for id in ids.iter().filter(|id| Some(id.as_str()) != keep) {
            pipe.del(self.session_key(id)).srem(self.user_key(user_id), id);
        }
        pipe.query_async::<()>(&mut redis)
            .await
            .context("ending a user's sessions")
    }
}
