//! Building blocks shared by every Tonearm service.
//!
//! A service builds its [`settings::Settings`] once at start, sets up
//! [`telemetry`], and mounts the [`http`] middleware and routes (request ids,
//! metrics, `/healthz`, `/readyz`, `/metrics`, the JSON error body) next to
//! its own routes.

pub mod caller;
pub mod cli;
pub mod confine;
pub mod db;
pub mod dev_servers;
pub mod error;
pub mod events;
pub mod fetch;
pub mod health;
pub mod http;
pub mod identity;
pub mod kafka;
pub mod lease;
pub mod listen;
pub mod metrics;
pub mod pg_lock;
pub mod ports;
pub mod redis_client;
pub mod redis_conn;
pub mod request_id;
pub mod server;
pub mod settings;
pub mod stats_keys;
pub mod telemetry;
#[cfg(feature = "test-support")]
pub mod test_support;

pub use error::{ApiError, ErrorBody};
pub use settings::Settings;
