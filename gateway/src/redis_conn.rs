//! One Redis connection manager per gateway, opened on first use so the
//! gateway starts (and reports not ready) while Redis is down.

use anyhow::Context as _;
use redis::aio::ConnectionManager;
use tokio::sync::OnceCell;

/// A lazily connected, automatically reconnecting Redis connection.
pub struct LazyRedis {
    client: redis::Client,
    connection: OnceCell<ConnectionManager>,
}

impl LazyRedis {
    pub fn new(client: redis::Client) -> Self {
        Self {
            client,
            connection: OnceCell::new(),
        }
    }

    /// A handle to the shared connection (cheap to clone).
    pub async fn get(&self) -> anyhow::Result<ConnectionManager> {
        self.connection
            .get_or_try_init(|| async {
                ConnectionManager::new(self.client.clone())
                    .await
                    .context("connecting to Redis")
            })
            .await
            .cloned()
    }
}
