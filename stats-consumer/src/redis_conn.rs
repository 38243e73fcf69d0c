//! A Redis connection opened on first use and reopened after a failure, so
//! the service starts and keeps serving sockets while Redis is away.

use std::time::Duration;

use redis::{AsyncConnectionConfig, aio::MultiplexedConnection};
use tokio::sync::Mutex;

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
