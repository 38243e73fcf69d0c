//! The catalog's database: schema and migrations applied in the background
//! at start, retried while PostgreSQL is down; readiness waits for them.

use std::{
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::Duration,
};

use common::health::DependencyCheck;
use futures_util::future::BoxFuture;
use sqlx::PgPool;
use tokio::sync::watch;

/// Whether the migrations are applied; cloneable, awaitable.
#[derive(Clone)]
pub struct Migrated {
    done: Arc<AtomicBool>,
    notify: watch::Receiver<bool>,
}

impl Migrated {
    pub fn is_done(&self) -> bool {
        self.done.load(Ordering::Acquire)
    }

    /// Resolves once the migrations are applied.
    pub async fn wait(&self) {
        let mut receiver = self.notify.clone();
        // An error means the sender is gone, which happens only after success or at shutdown.
        let _ = receiver.wait_for(|done| *done).await;
    }
}

/// Starts applying the migrations in the background, retrying every few
/// seconds until they succeed.
pub fn migrate_in_background(pool: PgPool, schema: String) -> Migrated {
    let done = Arc::new(AtomicBool::new(false));
    let (sender, notify) = watch::channel(false);
    let flag = done.clone();
    tokio::spawn(async move {
        let mut delay = Duration::from_millis(200);
        loop {
            match migrate(&pool, &schema).await {
                Ok(()) => {
                    flag.store(true, Ordering::Release);
                    let _ = sender.send(true);
                    tracing::info!(schema, "catalog migrations applied");
                    return;
                }
                Err(error) => {
                    tracing::warn!(
                        error = format!("{error:#}"),
                        "catalog migrations failed; retrying"
                    );
                    tokio::time::sleep(delay).await;
                    delay = (delay * 2).min(Duration::from_secs(5));
                }
            }
        }
    });
    Migrated { done, notify }
}

async fn migrate(pool: &PgPool, schema: &str) -> anyhow::Result<()> {
    common::db::ensure_schema(pool, schema).await?;
    sqlx::migrate!("./migrations").run(pool).await?;
    Ok(())
}

/// `/readyz` check: not ready until the migrations are applied.
pub struct MigrationsCheck(pub Migrated);

impl DependencyCheck for MigrationsCheck {
    fn name(&self) -> &str {
        "migrations"
    }

    fn check(&self) -> BoxFuture<'_, Result<(), String>> {
        Box::pin(async move {
            if self.0.is_done() {
                Ok(())
            } else {
                Err("catalog migrations are not applied yet".into())
            }
        })
    }
}
