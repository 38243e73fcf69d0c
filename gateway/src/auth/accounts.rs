//! What an account may do now, read from PostgreSQL: a session remembers
//! the role it was signed in with, but a disabled, deleted or demoted
//! account must lose its access even when ending its sessions in Redis
//! missed one. Proxied requests and socket checks reuse an answer for up to
//! `TONEARM_ACCOUNT_CACHE_MS` (one small query per account every few
//! seconds instead of one per request); admin actions always ask afresh.

use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, Instant},
};

use uuid::Uuid;

use super::{Role, users::UserStore};

/// Above this many cached accounts, expired entries are dropped.
const PRUNE_ABOVE: usize = 10_000;

/// An account that may still sign in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub role: Role,
    pub username: String,
}

/// Current account states, cached briefly.
pub struct AccountCache {
    users: UserStore,
    ttl: Duration,
    /// `None`: the account is disabled or no longer exists.
    entries: Mutex<HashMap<Uuid, (Instant, Option<Account>)>>,
}

impl AccountCache {
    pub fn new(users: UserStore, ttl: Duration) -> Self {
        Self {
            users,
            ttl,
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// The account as of at most the cache's lifetime ago; `None` when it
    /// is disabled or deleted.
    pub async fn current(&self, id: Uuid) -> anyhow::Result<Option<Account>> {
        let cached = self.entries.lock().ok().and_then(|entries| {
            entries
                .get(&id)
                .filter(|(read_at, _)| read_at.elapsed() < self.ttl)
                .map(|(_, account)| account.clone())
        });
        match cached {
            Some(account) => Ok(account),
            None => self.fresh(id).await,
        }
    }

    /// The account as PostgreSQL has it now (and remembered for the others).
    pub async fn fresh(&self, id: Uuid) -> anyhow::Result<Option<Account>> {
        let account = self
            .users
            .by_id(id)
            .await?
            .filter(|user| !user.disabled)
            .map(|user| Account {
                role: user.role(),
                username: user.username,
            });
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= PRUNE_ABOVE {
                entries.retain(|_, (read_at, _)| read_at.elapsed() < self.ttl);
            }
            entries.insert(id, (Instant::now(), account.clone()));
        }
        Ok(account)
    }

    /// Drops what is known of `id`, after this gateway changed the account.
    pub fn forget(&self, id: Uuid) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.remove(&id);
        }
    }
}
