//! Sign-in limits in Redis, built so that an attacker is slowed without
//! locking the real owner out:
//!
//! - `{prefix}auth:login:addr:{ip}`: attempts from one address in a fixed
//!   window; over the limit, everything from that address waits.
//! - `{prefix}auth:login:account:{username}`: failures for the account from
//!   any address in the window.
//! - `{prefix}auth:login:fail:{username}:{ip}`: failures for one account from
//!   one address (hash `count`, `last`). Once the account has reached its
//!   limit of failures, an address that failed on it `n` times waits
//!   2^n s (2 s, 4 s, 8 s... at most the window) after its last failure
//!   before it may try that account again.
//!
//! An address with no failure on the account is never held back by the
//! account's limits, so the owner signs in from their own device while the
//! account is being guessed at from elsewhere.

use std::time::Duration;

use anyhow::Context as _;
use common::{redis_client::Keys, redis_conn::LazyRedis};
use redis::Script;

/// Wait after an address's first failure on an account under attack.
const BACKOFF_BASE_SECS: u64 = 2;

/// Counts the attempt against the address and says how long to wait
/// (0: go ahead). KEYS: address counter, account failures, account+address
/// failures. ARGV: window, per-address limit, per-account limit, base.
const CHECK: &str = r"
local window = tonumber(ARGV[1])
local count = redis.call('INCR', KEYS[1])
local ttl = redis.call('TTL', KEYS[1])
if ttl < 0 then redis.call('EXPIRE', KEYS[1], window); ttl = window end
if count > tonumber(ARGV[2]) then return ttl end
if tonumber(redis.call('GET', KEYS[2]) or '0') < tonumber(ARGV[3]) then return 0 end
local failures = tonumber(redis.call('HGET', KEYS[3], 'count') or '0')
if failures == 0 then return 0 end
local delay = math.min(window, tonumber(ARGV[4]) * 2 ^ math.min(failures - 1, 30))
local now = tonumber(redis.call('TIME')[1])
local last = tonumber(redis.call('HGET', KEYS[3], 'last') or '0')
local remaining = last + delay - now
if remaining > 0 then return math.ceil(remaining) end
return 0
";

/// Records a failure. KEYS: account failures, account+address failures.
/// ARGV: window.
const FAILED: &str = r"
local window = tonumber(ARGV[1])
redis.call('HINCRBY', KEYS[2], 'count', 1)
redis.call('HSET', KEYS[2], 'last', redis.call('TIME')[1])
redis.call('EXPIRE', KEYS[2], window)
redis.call('INCR', KEYS[1])
if redis.call('TTL', KEYS[1]) < 0 then redis.call('EXPIRE', KEYS[1], window) end
return 1
";

/// Sign-in limits per address, per account and per account and address.
pub struct LoginLimiter {
    redis: std::sync::Arc<LazyRedis>,
    keys: Keys,
    per_account: u64,
    per_address: u64,
    window: Duration,
    check: Script,
    failed: Script,
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
            check: Script::new(CHECK),
            failed: Script::new(FAILED),
        }
    }

    fn account_key(&self, username: &str) -> String {
        self.keys.key(&format!("auth:login:account:{username}"))
    }

    fn failures_key(&self, username: &str, address: &str) -> String {
        self.keys.key(&format!("auth:login:fail:{username}:{address}"))
    }

    /// Counts an attempt; `Ok(Some(secs))` when it must wait: the caller
    /// answers 429 with `Retry-After: secs` before looking at the password.
    /// Unknown accounts are counted like known ones, so the limits reveal
    /// nothing either.
    pub async fn attempt(&self, username: &str, address: &str) -> anyhow::Result<Option<u64>> {
        let mut redis = self.redis.get().await.context("connecting to Redis")?;
        let wait: i64 = self
            .check
            .key(self.keys.key(&format!("auth:login:addr:{address}")))
            .key(self.account_key(username))
            .key(self.failures_key(username, address))
            .arg(self.window.as_secs())
            .arg(self.per_address)
            .arg(self.per_account)
            .arg(BACKOFF_BASE_SECS)
            .invoke_async(&mut redis)
            .await
            .context("counting a sign-in attempt")?;
        Ok((wait > 0).then(|| u64::try_from(wait).unwrap_or(1)))
    }

    /// Records a wrong password (or unknown or disabled account).
    pub async fn failed(&self, username: &str, address: &str) -> anyhow::Result<()> {
        let mut redis = self.redis.get().await.context("connecting to Redis")?;
        self.failed
            .key(self.account_key(username))
            .key(self.failures_key(username, address))
            .arg(self.window.as_secs())
            .invoke_async::<i64>(&mut redis)
            .await
            .map(drop)
            .context("recording a failed sign-in")
    }

    /// Forgets the account's failures after a successful sign-in.
    pub async fn succeeded(&self, username: &str, address: &str) -> anyhow::Result<()> {
        let mut redis = self.redis.get().await.context("connecting to Redis")?;
        redis::cmd("DEL")
            .arg(self.account_key(username))
            .arg(self.failures_key(username, address))
            .query_async::<()>(&mut redis)
            .await
            .context("resetting sign-in attempts")
    }
}
