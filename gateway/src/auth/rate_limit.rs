//! Fixed-window attempt counters in Redis:
//! `{prefix}auth:login:account:{username}` and `{prefix}auth:login:addr:{ip}`.

use std::time::Duration;

use anyhow::Context as _;
use common::redis_client::Keys;
use redis::Script;

use crate::redis_conn::LazyRedis;

/// Counts one attempt; the counter expires with its window.
const COUNT: &str = r"
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('TTL', KEYS[1])
if ttl < 0 then redis.call('EXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {count, ttl}
";

/// Login attempt limits per account and per client address.
pub struct LoginLimiter {
    redis: std::sync::Arc<LazyRedis>,
    keys: Keys,
    per_account: u64,
    per_address: u64,
    window: Duration,
    script: Script,
}

impl LoginLimiter {
    pub fn new(
        redis: std::sync::Arc<LazyRedis>,
        keys: Keys,
        per_account: u64,
        per_address: u64,
        window: Duration,
    ) -> Self {
        Self {
            redis,
            keys,
            per_account,
            per_address,
            window,
            script: Script::new(COUNT),
        }
    }

    fn account_key(&self, username: &str) -> String {
        self.keys.key(&format!("auth:login:account:{username}"))
    }

    /// Counts an attempt for the account and the address. `Ok(Some(secs))`
    /// when either is over its limit: the caller answers 429 with
    /// `Retry-After: secs`. Unknown accounts are counted like known ones,
    /// so the limit reveals nothing either.
    pub async fn attempt(&self, username: &str, address: &str) -> anyhow::Result<Option<u64>> {
        let mut redis = self.redis.get().await?;
        let mut retry_after = None;
        for (key, limit) in [
            (self.account_key(username), self.per_account),
            (
                self.keys.key(&format!("auth:login:addr:{address}")),
                self.per_address,
            ),
        ] {
            let (count, ttl): (u64, i64) = self
                .script
                .key(&key)
                .arg(self.window.as_secs())
                .invoke_async(&mut redis)
                .await
                .context("counting a sign-in attempt")?;
            if count > limit {
                let secs = u64::try_from(ttl.max(1)).unwrap_or(1);
                retry_after = Some(retry_after.map_or(secs, |other: u64| other.max(secs)));
            }
        }
        Ok(retry_after)
    }

    /// Forgets the account's failures after a successful sign-in.
    pub async fn succeeded(&self, username: &str) -> anyhow::Result<()> {
        let mut redis = self.redis.get().await?;
        redis::cmd("DEL")
            .arg(self.account_key(username))
            .query_async::<()>(&mut redis)
            .await
            .context("resetting sign-in attempts")
    }
}
