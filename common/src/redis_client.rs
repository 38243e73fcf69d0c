//! Redis clients and key names. Every key and channel starts with the
//! configured prefix (`TONEARM_REDIS_PREFIX`, `tonearm:` by default), so
//! tests and several deployments can share one server.

use std::time::Duration;

use anyhow::Context as _;
use redis::{AsyncConnectionConfig, aio::MultiplexedConnection};
use tokio::sync::Mutex;

use crate::settings::RedisSettings;

/// Builds key names under the configured prefix.
#[derive(Debug, Clone)]
pub struct Keys {
    prefix: String,
}

impl Keys {
    pub fn new(prefix: impl Into<String>) -> Self {
        Self {
            prefix: prefix.into(),
        }
    }

    /// `key("presence")` -> `tonearm:presence`.
    pub fn key(&self, suffix: &str) -> String {
        format!("{}{suffix}", self.prefix)
    }

    pub fn prefix(&self) -> &str {
        &self.prefix
    }
}

/// A client; connections are opened on use, so a service starts while Redis
/// is down.
pub fn client(settings: &RedisSettings) -> anyhow::Result<redis::Client> {
    redis::Client::open(settings.url.as_str()).context("parsing TONEARM_REDIS_URL")
}

/// A Redis connection opened on first use and reopened after a failure, so
/// a service starts and keeps serving while Redis is away.
/// Shares one multiplexed connection; cheap to clone the connection out.
pub struct LazyRedis {
    client: redis::Client,
    connection: Mutex<Option<MultiplexedConnection>>,
}

impl LazyRedis {
    pub fn new(client: redis::Client) -> Self {
        Self {
            client,
            connection: Mutex::new(None),
        }
    }

    pub fn client(&self) -> &redis::Client {
        &self.client
    }

    /// The open connection, or a new one.
    pub async fn get(&self) -> redis::RedisResult<MultiplexedConnection> {
        let mut slot = self.connection.lock().await;
        if let Some(connection) = slot.as_ref() {
            return Ok(connection.clone());
        }
        let config = AsyncConnectionConfig::new()
            .set_connection_timeout(Duration::from_secs(1))
            .set_response_timeout(Duration::from_secs(2));
        let connection = self
            .client
            .get_multiplexed_async_connection_with_config(&config)
            .await?;
        *slot = Some(connection.clone());
        Ok(connection)
    }

    /// Forgets the connection after an I/O error, so the next use reconnects.
    pub async fn reset(&self) {
        *self.connection.lock().await = None;
    }
}
