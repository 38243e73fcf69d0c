//! PostgreSQL advisory locks: work on the catalog's tables that must run
//! on one replica at a time (library scans, feed refreshes) takes one.
//!
//! A lock is held by one database session, so the guard keeps a pooled
//! connection for as long as it lives. Locks are named and scoped to the
//! schema of the connection (`TONEARM_DATABASE_SCHEMA`): replicas of one
//! deployment share them, deployments (and tests) in other schemas do not.
//! If the holder dies, PostgreSQL ends its session and the lock is free.

use sqlx::{PgPool, Postgres, pool::PoolConnection};

/// The lock's two keys: the schema and the name, hashed by PostgreSQL.
const KEYS: &str = "hashtext(coalesce(current_schema(), '')), hashtext($1)";

/// An advisory lock this process holds, until [`PgLockGuard::release`] or
/// drop (which closes its session, freeing the lock all the same).
pub struct PgLockGuard {
    connection: Option<PoolConnection<Postgres>>,
    name: String,
}

/// Takes the advisory lock `name` without waiting; `None` when another
/// session (another replica, or another task here) holds it.
pub async fn try_lock(pool: &PgPool, name: &str) -> Result<Option<PgLockGuard>, sqlx::Error> {
    let mut connection = pool.acquire().await?;
    let taken: bool = sqlx::query_scalar(&format!("SELECT pg_try_advisory_lock({KEYS})"))
        .bind(name)
        .fetch_one(&mut *connection)
        .await?;
    Ok(taken.then(|| PgLockGuard {
        connection: Some(connection),
        name: name.to_owned(),
    }))
}

impl PgLockGuard {
    /// Frees the lock and gives the connection back to the pool.
    pub async fn release(mut self) {
        let Some(mut connection) = self.connection.take() else {
            return;
        };
        let unlocked = sqlx::query_scalar::<_, bool>(&format!("SELECT pg_advisory_unlock({KEYS})"))
            .bind(&self.name)
            .fetch_one(&mut *connection)
            .await;
        if !matches!(unlocked, Ok(true)) {
            // Never hand a pooled connection on with the lock still held:
            // closing its session frees the lock.
            drop(connection.detach());
        }
    }
}

impl Drop for PgLockGuard {
    fn drop(&mut self) {
        if let Some(connection) = self.connection.take() {
            drop(connection.detach());
        }
    }
}
