//! Last.fm answers kept in PostgreSQL for a TTL (the `lastfm_cache` table).

use std::time::Duration;

use serde_json::Value;
use sqlx::PgPool;

/// The cached body of `key` when younger than `ttl`.
pub async fn get(pool: &PgPool, key: &str, ttl: Duration) -> sqlx::Result<Option<Value>> {
    let seconds = ttl.as_secs_f64();
    sqlx::query_scalar(
        "SELECT body FROM lastfm_cache WHERE key = $1 AND fetched_at > now() - make_interval(secs => $2)",
    )
    .bind(key)
    .bind(seconds)
    .fetch_optional(pool)
    .await
}

pub async fn put(pool: &PgPool, key: &str, body: &Value) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO lastfm_cache (key, body, fetched_at) VALUES ($1, $2, now())
         ON CONFLICT (key) DO UPDATE SET body = EXCLUDED.body, fetched_at = now()",
    )
    .bind(key)
    .bind(body)
    .execute(pool)
    .await?;
    Ok(())
}
