//! The one Redis connection a service shares: opened on first use, dropped
//! by itself when a command finds it broken and reopened on the next use.
//!
//! Every call is bounded: opening waits at most [`CONNECT_TIMEOUT`], a
//! command at most [`RESPONSE_TIMEOUT`]. While Redis is away, uses fail at
//! once for [`RETRY_AFTER`] after a failed attempt instead of each waiting
//! out a connect of its own, so readiness probes and shutdown never hang.
//! (redis's own `ConnectionManager` retries in the background and keeps
//! callers waiting while it does, which is why it is not used.)

use std::{
    sync::{
        Arc, Mutex, PoisonError,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use redis::{
    AsyncConnectionConfig, Cmd, ErrorKind, Pipeline, RedisError, RedisFuture, RedisResult, Value,
    aio::{ConnectionLike, MultiplexedConnection},
};

/// Longest wait for a connection to open.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(1);
/// Longest wait for the answer to one command or pipeline.
pub const RESPONSE_TIMEOUT: Duration = Duration::from_secs(2);
/// After a failed attempt to connect, how long uses fail without trying.
pub const RETRY_AFTER: Duration = Duration::from_millis(250);

/// The bounds every Tonearm connection to Redis uses.
pub fn connection_config() -> AsyncConnectionConfig {
    AsyncConnectionConfig::new()
        .set_connection_timeout(CONNECT_TIMEOUT)
        .set_response_timeout(RESPONSE_TIMEOUT)
}

/// A Redis connection opened on first use and reopened after a failure, so
/// a service starts and keeps serving while Redis is away. Callers share
/// one multiplexed connection.
pub struct LazyRedis {
    client: redis::Client,
    slot: Arc<Mutex<Slot>>,
    /// Held while connecting, so concurrent uses wait for one attempt
    /// instead of each opening a connection.
    connecting: tokio::sync::Mutex<()>,
    /// Connections opened so far; tells a connection from its successor.
    opened: AtomicU64,
}

/// What the shared connection is at the moment.
enum Slot {
    Empty,
    Open {
        connection: MultiplexedConnection,
        generation: u64,
    },
    Failed {
        at: Instant,
        kind: ErrorKind,
        detail: String,
    },
}

impl LazyRedis {
    pub fn new(client: redis::Client) -> Self {
        Self {
            client,
            slot: Arc::new(Mutex::new(Slot::Empty)),
            connecting: tokio::sync::Mutex::new(()),
            opened: AtomicU64::new(0),
        }
    }

    /// The client, for what a shared connection cannot do (pub/sub).
    pub fn client(&self) -> &redis::Client {
        &self.client
    }

    /// The open connection, or a new one; fails within [`CONNECT_TIMEOUT`]
    /// (at once right after a failed attempt).
    pub async fn get(&self) -> RedisResult<RedisConnection> {
        if let Some(ready) = self.current() {
            return ready;
        }
        let _connecting = self.connecting.lock().await;
        // Whoever held the lock before may have settled it already.
        if let Some(ready) = self.current() {
            return ready;
        }
        let opened = tokio::time::timeout(
            CONNECT_TIMEOUT,
            self.client
                .get_multiplexed_async_connection_with_config(&connection_config()),
        )
        .await
        .unwrap_or_else(|_| {
            Err(RedisError::from((
                ErrorKind::IoError,
                "connecting to Redis timed out",
            )))
        });
        let mut slot = lock(&self.slot);
        match opened {
            Ok(connection) => {
                let generation = self.opened.fetch_add(1, Ordering::Relaxed);
                *slot = Slot::Open {
                    connection: connection.clone(),
                    generation,
                };
                Ok(self.handle(connection, generation))
            }
            Err(error) => {
                *slot = Slot::Failed {
                    at: Instant::now(),
                    kind: error.kind(),
                    detail: error.to_string(),
                };
                Err(error)
            }
        }
    }

    /// The settled answer, if there is one: the open connection, or the
    /// error of an attempt made less than [`RETRY_AFTER`] ago.
    fn current(&self) -> Option<RedisResult<RedisConnection>> {
        match &*lock(&self.slot) {
            Slot::Open {
                connection,
                generation,
            } => Some(Ok(self.handle(connection.clone(), *generation))),
            Slot::Failed { at, kind, detail } if at.elapsed() < RETRY_AFTER => Some(Err(RedisError::from((
                *kind,
                "Redis is unreachable",
                detail.clone(),
            )))),
            Slot::Failed { .. } | Slot::Empty => None,
        }
    }

    fn handle(&self, connection: MultiplexedConnection, generation: u64) -> RedisConnection {
        RedisConnection {
            connection,
            generation,
            slot: Arc::clone(&self.slot),
        }
    }
}

fn lock(slot: &Mutex<Slot>) -> std::sync::MutexGuard<'_, Slot> {
    // The slot is only ever replaced whole, so a panic elsewhere cannot
    // leave it half-written.
    slot.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A handle on the shared connection (cheap to clone). A command that finds
/// the connection broken (I/O error, no answer in time) drops it from the
/// [`LazyRedis`], so the next [`LazyRedis::get`] opens a new one.
#[derive(Clone)]
pub struct RedisConnection {
    connection: MultiplexedConnection,
    generation: u64,
    slot: Arc<Mutex<Slot>>,
}

impl RedisConnection {
    fn settle<T>(&self, result: RedisResult<T>) -> RedisResult<T> {
        if let Err(error) = &result
            && is_broken(error)
        {
            let mut slot = lock(&self.slot);
            // Only this connection: a newer one opened meanwhile stays.
            if matches!(&*slot, Slot::Open { generation, .. } if *generation == self.generation) {
                *slot = Slot::Empty;
            }
        }
        result
    }
}

/// Whether an error says the connection itself is unusable (as opposed to
/// Redis answering with an error).
fn is_broken(error: &RedisError) -> bool {
    error.is_io_error()
        || error.is_timeout()
        || error.is_connection_dropped()
        || error.is_unrecoverable_error()
}

impl ConnectionLike for RedisConnection {
    fn req_packed_command<'a>(&'a mut self, cmd: &'a Cmd) -> RedisFuture<'a, Value> {
        Box::pin(async move {
            let result = self.connection.req_packed_command(cmd).await;
            self.settle(result)
        })
    }

    fn req_packed_commands<'a>(
        &'a mut self,
        cmd: &'a Pipeline,
        offset: usize,
        count: usize,
    ) -> RedisFuture<'a, Vec<Value>> {
        Box::pin(async move {
            let result = self.connection.req_packed_commands(cmd, offset, count).await;
            self.settle(result)
        })
    }

    fn get_db(&self) -> i64 {
        self.connection.get_db()
    }
}
