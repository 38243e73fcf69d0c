//! Redis leases: work that must run on one replica at a time (the presence
//! sweeper of stats-consumer) takes a lease first.
//!
//! A lease is a key holding its owner's random id with an expiry:
//! `SET key owner NX PX ttl` takes it, and owner-checked scripts renew and
//! release it, so a replica never extends or frees a lease another one
//! holds. While a [`LeaseGuard`] lives it renews the lease in the
//! background every third of the ttl. A replica that dies stops renewing,
//! and the lease passes to another one at most `ttl` later.

use std::{
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::{Duration, Instant},
};

use redis::Script;
use tokio::task::JoinHandle;

use crate::redis_conn::LazyRedis;

const RENEW: &str = r"
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0";

const RELEASE: &str = r"
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0";

/// One named lease, as seen by one would-be holder (its owner id).
#[derive(Clone)]
pub struct Lease {
    inner: Arc<Inner>,
}

struct Inner {
    redis: Arc<LazyRedis>,
    key: String,
    owner: String,
    ttl: Duration,
    renew: Script,
    release: Script,
}

impl Lease {
    /// The lease stored at `key` (already prefixed), held for `ttl` past
    /// each renewal; this holder's owner id is random.
    pub fn new(redis: Arc<LazyRedis>, key: impl Into<String>, ttl: Duration) -> Self {
        Self {
            inner: Arc::new(Inner {
                redis,
                key: key.into(),
                owner: uuid::Uuid::new_v4().to_string(),
                ttl: ttl.max(Duration::from_millis(30)),
                renew: Script::new(RENEW),
                release: Script::new(RELEASE),
            }),
        }
    }

    /// This holder's owner id, the value of the key while it holds it.
    pub fn owner(&self) -> &str {
        &self.inner.owner
    }

    /// Takes the lease if nobody holds it; `None` when another holder does.
    /// The guard renews it until released or dropped.
    pub async fn try_acquire(&self) -> redis::RedisResult<Option<LeaseGuard>> {
        let mut connection = self.inner.redis.get().await?;
        let taken: Option<String> = redis::cmd("SET")
            .arg(&self.inner.key)
            .arg(&self.inner.owner)
            .arg("NX")
            .arg("PX")
            .arg(self.ttl_ms())
            .query_async(&mut connection)
            .await?;
        if taken.is_none() {
            return Ok(None);
        }
        let held = Arc::new(AtomicBool::new(true));
        let renewer = tokio::spawn(renew_while_held(self.clone(), Arc::clone(&held)));
        Ok(Some(LeaseGuard {
            lease: self.clone(),
            held,
            renewer,
        }))
    }

    /// Extends the lease by its ttl if this holder still holds it; `false`
    /// when it expired or another holder has it.
    pub async fn renew(&self) -> redis::RedisResult<bool> {
        let mut connection = self.inner.redis.get().await?;
        let renewed: i64 = self
            .inner
            .renew
            .key(&self.inner.key)
            .arg(&self.inner.owner)
            .arg(self.ttl_ms())
            .invoke_async(&mut connection)
            .await?;
        Ok(renewed == 1)
    }

    /// Frees the lease if this holder holds it; a lease held by another
    /// holder is left alone. `true` when it was freed.
    pub async fn release(&self) -> redis::RedisResult<bool> {
        let mut connection = self.inner.redis.get().await?;
        let deleted: i64 = self
            .inner
            .release
            .key(&self.inner.key)
            .arg(&self.inner.owner)
            .invoke_async(&mut connection)
            .await?;
        Ok(deleted == 1)
    }

    fn ttl_ms(&self) -> u64 {
        u64::try_from(self.inner.ttl.as_millis()).unwrap_or(u64::MAX)
    }
}

/// A lease this holder took. Renewed in the background; [`LeaseGuard::release`]
/// frees it at once, while dropping the guard only stops the renewals (the
/// lease then expires after its ttl, as when the holder dies).
pub struct LeaseGuard {
    lease: Lease,
    held: Arc<AtomicBool>,
    renewer: JoinHandle<()>,
}

impl LeaseGuard {
    /// Whether the lease is still ours: `false` once a renewal found it
    /// gone or Redis could not be reached for a whole ttl.
    pub fn is_held(&self) -> bool {
        self.held.load(Ordering::Acquire)
    }

    /// Stops renewing and frees the lease for the next holder.
    pub async fn release(self) -> redis::RedisResult<bool> {
        self.renewer.abort();
        self.held.store(false, Ordering::Release);
        self.lease.release().await
    }
}

impl Drop for LeaseGuard {
    fn drop(&mut self) {
        self.renewer.abort();
    }
}

/// Renews every third of the ttl until the lease is lost: found held by
/// another, or not renewed in time (Redis away), after which another
/// holder may have it.
async fn renew_while_held(lease: Lease, held: Arc<AtomicBool>) {
    let ttl = lease.inner.ttl;
    let mut renewed_at = Instant::now();
    loop {
        tokio::time::sleep(ttl / 3).await;
        match lease.renew().await {
            Ok(true) => renewed_at = Instant::now(),
            Ok(false) => break,
            Err(error) => {
                tracing::debug!(key = %lease.inner.key, %error, "renewing a lease failed");
                // The next try would come after the key expires: from then
                // on another holder may have it, so stop claiming it now.
                if renewed_at.elapsed() + ttl / 3 >= ttl {
                    break;
                }
            }
        }
    }
    tracing::warn!(key = %lease.inner.key, "a lease was lost");
    held.store(false, Ordering::Release);
}
