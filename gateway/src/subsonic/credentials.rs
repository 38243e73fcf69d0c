//! API keys and app passwords in PostgreSQL (`gateway_api_keys`,
//! `gateway_app_passwords`); the routes a signed-in user manages their
//! own with are in [`super::api_keys`].

use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, Instant},
};

use anyhow::Context as _;
use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::PgPool;
use uuid::Uuid;

use super::secrets::{self, SecretBox};

/// The Subsonic credentials store.
pub struct Credentials {
    pool: PgPool,
    pub(super) secrets: Option<SecretBox>,
    /// Owners of API keys (by hash) as read at most `owners_ttl` ago, so a
    /// busy app costs one database read per key per `owners_ttl`, as
    /// accounts do (`TONEARM_ACCOUNT_CACHE_MS`); revoking here clears them.
    owners: Mutex<HashMap<Vec<u8>, KeyOwner>>,
    owners_ttl: Duration,
}

/// When a key's owner was read, and the owner (`None`: no such key).
type KeyOwner = (Instant, Option<Uuid>);

/// Most API key owners remembered; past it they are all read afresh.
const MAX_OWNERS: usize = 10_000;

/// An API key as listed (never the key itself).
#[derive(Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct ApiKeyView {
    pub id: Uuid,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
}

impl Credentials {
    pub fn new(pool: PgPool, secret_key: &str, owners_ttl: Duration) -> Self {
        Self {
            pool,
            secrets: SecretBox::new(secret_key),
            owners: Mutex::default(),
            owners_ttl,
        }
    }

    /// True when token authentication is offered (a secret key is set).
    pub fn token_auth_enabled(&self) -> bool {
        self.secrets.is_some()
    }

    /// The owner of `key`; `None` for an unknown key. `last_used_at` is
    /// written at most once a minute, not on every call of a busy app.
    pub async fn key_owner(&self, key: &str) -> anyhow::Result<Option<Uuid>> {
        let hash = secrets::key_hash(key);
        let remembered = self.owners.lock().ok().and_then(|owners| {
            owners
                .get(&hash)
                .filter(|(read_at, _)| read_at.elapsed() < self.owners_ttl)
                .map(|(_, owner)| *owner)
        });
        if let Some(owner) = remembered {
            return Ok(owner);
        }
        let owner = self.read_key_owner(&hash).await?;
        if let Ok(mut owners) = self.owners.lock() {
            if owners.len() >= MAX_OWNERS {
                owners.clear();
            }
            owners.insert(hash, (Instant::now(), owner));
        }
        Ok(owner)
    }

    async fn read_key_owner(&self, hash: &[u8]) -> anyhow::Result<Option<Uuid>> {
        sqlx::query_scalar(
            "WITH found AS (SELECT id, user_id, last_used_at FROM gateway_api_keys WHERE key_hash = $1),
             touched AS (UPDATE gateway_api_keys AS keys SET last_used_at = now() FROM found
                 WHERE keys.id = found.id
                   AND (found.last_used_at IS NULL OR found.last_used_at < now() - interval '1 minute'))
             SELECT user_id FROM found",
        )
        .bind(hash)
        .fetch_optional(&self.pool)
        .await
        .context("reading an API key")
    }

    pub(super) async fn create_key(&self, user: Uuid, name: &str) -> anyhow::Result<(ApiKeyView, String)> {
        let key = secrets::new_api_key()?;
        let view = sqlx::query_as::<_, ApiKeyView>(
            "INSERT INTO gateway_api_keys (id, user_id, name, key_hash) VALUES ($1, $2, $3, $4)
             RETURNING id, name, created_at, last_used_at",
        )
        .bind(Uuid::now_v7())
        .bind(user)
        .bind(name)
        .bind(secrets::key_hash(&key))
        .fetch_one(&self.pool)
        .await
        .context("creating an API key")?;
        Ok((view, key))
    }

    pub(super) async fn list_keys(&self, user: Uuid) -> anyhow::Result<Vec<ApiKeyView>> {
        sqlx::query_as(
            "SELECT id, name, created_at, last_used_at FROM gateway_api_keys
             WHERE user_id = $1 ORDER BY created_at",
        )
        .bind(user)
        .fetch_all(&self.pool)
        .await
        .context("listing API keys")
    }

    pub(super) async fn revoke_key(&self, user: Uuid, id: Uuid) -> anyhow::Result<bool> {
        let done = sqlx::query("DELETE FROM gateway_api_keys WHERE id = $1 AND user_id = $2")
            .bind(id)
            .bind(user)
            .execute(&self.pool)
            .await
            .context("revoking an API key")?;
        if let Ok(mut owners) = self.owners.lock() {
            owners.clear();
        }
        Ok(done.rows_affected() > 0)
    }

    /// The user's app password in clear, for the token check; `None` when
    /// they have none (or it no longer opens: the server key changed).
    pub async fn app_password(&self, user: Uuid) -> anyhow::Result<Option<String>> {
        let Some(secrets) = &self.secrets else {
            return Ok(None);
        };
        let row: Option<(Vec<u8>, Vec<u8>)> =
            sqlx::query_as("SELECT nonce, ciphertext FROM gateway_app_passwords WHERE user_id = $1")
                .bind(user)
                .fetch_optional(&self.pool)
                .await
                .context("reading an app password")?;
        Ok(row.and_then(|(nonce, sealed)| secrets.open(user, &nonce, &sealed)))
    }

    pub(super) async fn set_app_password(
        &self,
        user: Uuid,
        secrets: &SecretBox,
        plain: &str,
    ) -> anyhow::Result<()> {
        let (nonce, sealed) = secrets.seal(user, plain)?;
        sqlx::query(
            "INSERT INTO gateway_app_passwords (user_id, nonce, ciphertext) VALUES ($1, $2, $3)
             ON CONFLICT (user_id) DO UPDATE SET nonce = $2, ciphertext = $3, created_at = now()",
        )
        .bind(user)
        .bind(nonce)
        .bind(sealed)
        .execute(&self.pool)
        .await
        .context("storing an app password")
        .map(drop)
    }

    pub(super) async fn delete_app_password(&self, user: Uuid) -> anyhow::Result<bool> {
        let done = sqlx::query("DELETE FROM gateway_app_passwords WHERE user_id = $1")
            .bind(user)
            .execute(&self.pool)
            .await
            .context("deleting an app password")?;
        Ok(done.rows_affected() > 0)
    }
}
