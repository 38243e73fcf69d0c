//! Layered configuration: defaults < optional TOML file < `TONEARM_*`
//! environment variables, validated once at start.
//!
//! Every setting has one flat name. In the TOML file it is written in lower
//! case (`database_url = "..."`), in the environment with the `TONEARM_`
//! prefix (`TONEARM_DATABASE_URL=...`). The file is read from the path in
//! `TONEARM_CONFIG` when that variable is set.
//!
//! A service with settings of its own declares a raw struct with
//! `#[serde(default)]` and extracts it from [`layers`], so it shares the
//! same sources and the same error messages.

pub mod known;
mod layers;
pub mod lenient;
mod presence;
mod validate;

use std::time::Duration;

use reqwest::Url;
use serde::{Deserialize, Serialize};

pub use known::KnownSettings;
pub use layers::{extract, layers};
pub use presence::RawPresenceSettings;

pub use crate::ports::Ports;
use validate::{broker_list, hostname, log_format, sql_identifier, topic_name, url_with_scheme};
pub use validate::{http_urls, music_dirs, non_empty, origins, positive_millis, socket_urls};

/// The prefix of every environment variable Tonearm reads.
pub const ENV_PREFIX: &str = "TONEARM_";

/// A setting that is missing or malformed; the message names the setting and
/// the expected form, so the service can stop with one clear line.
#[derive(Debug, thiserror::Error)]
#[error("invalid setting {name}: {reason}")]
pub struct SettingsError {
    /// The environment variable name of the setting (`TONEARM_...`).
    pub name: String,
    /// What was wrong and what was expected.
    pub reason: String,
}

impl SettingsError {
    pub fn new(key: &str, reason: impl Into<String>) -> Self {
        Self {
            name: env_name(key),
            reason: reason.into(),
        }
    }
}

/// `database_url` -> `TONEARM_DATABASE_URL`.
pub fn env_name(key: &str) -> String {
    format!("{ENV_PREFIX}{}", key.to_ascii_uppercase())
}

/// The raw, unvalidated settings shared by all services, as read from the
/// layers. Field names are the setting names.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct RawSettings {
    pub host: String,
    pub gateway_host: String,
    pub catalog_host: String,
    pub stream_host: String,
    pub events_host: String,
    pub stats_host: String,
    #[serde(deserialize_with = "lenient::parse")]
    pub gateway_port: u16,
    #[serde(deserialize_with = "lenient::parse")]
    pub catalog_port: u16,
    #[serde(deserialize_with = "lenient::parse")]
    pub stream_port: u16,
    #[serde(deserialize_with = "lenient::parse")]
    pub events_port: u16,
    #[serde(deserialize_with = "lenient::parse")]
    pub stats_port: u16,
    #[serde(deserialize_with = "lenient::parse")]
    pub events_ws_port: u16,
    pub catalog_url: String,
    pub stream_url: String,
    pub events_url: String,
    pub events_ws_url: String,
    pub database_url: String,
    pub database_schema: String,
    pub redis_url: String,
    pub redis_prefix: String,
    pub kafka_brokers: String,
    pub events_topic: String,
    pub log_format: String,
    pub log: String,
    #[serde(deserialize_with = "lenient::parse")]
    pub shutdown_timeout_secs: u64,
    #[serde(deserialize_with = "lenient::parse")]
    pub readiness_timeout_ms: u64,
    pub instance_id: String,
    pub internal_token: String,
}

impl Default for RawSettings {
    fn default() -> Self {
        Self {
            host: "127.0.0.1".into(),
            gateway_host: String::new(),
            catalog_host: String::new(),
            stream_host: String::new(),
            events_host: String::new(),
            stats_host: String::new(),
            gateway_port: Ports::DEFAULT.gateway,
            catalog_port: Ports::DEFAULT.catalog,
            stream_port: Ports::DEFAULT.stream,
            events_port: Ports::DEFAULT.events,
            stats_port: Ports::DEFAULT.stats,
            events_ws_port: Ports::DEFAULT.events_ws,
            catalog_url: local_url("http", Ports::DEFAULT.catalog),
            stream_url: local_url("http", Ports::DEFAULT.stream),
            events_url: local_url("http", Ports::DEFAULT.events),
            events_ws_url: local_url("ws", Ports::DEFAULT.events_ws),
            database_url: "postgres://postgres@127.0.0.1:5432/tonearm".into(),
            database_schema: "public".into(),
            redis_url: "redis://127.0.0.1:6379".into(),
            redis_prefix: "tonearm:".into(),
            kafka_brokers: "127.0.0.1:9092".into(),
            events_topic: "tonearm.player-events.v1".into(),
            log_format: "auto".into(),
            log: "info".into(),
            shutdown_timeout_secs: 30,
            readiness_timeout_ms: 2000,
            instance_id: String::new(),
            internal_token: String::new(),
        }
    }
}

fn local_url(scheme: &str, port: u16) -> String {
    format!("{scheme}://127.0.0.1:{port}")
}

/// How logs are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// Human-readable, coloured when standard error is a terminal.
    Pretty,
    /// One JSON object per line, for log collectors.
    Json,
}

/// Validated settings shared by all services.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The address each service binds (`TONEARM_<SERVICE>_HOST`, else
    /// `TONEARM_HOST`).
    pub hosts: Hosts,
    pub ports: Ports,
    pub upstreams: Upstreams,
    pub database: DatabaseSettings,
    pub redis: RedisSettings,
    pub kafka: KafkaSettings,
    pub log_format: LogFormat,
    pub log_filter: String,
    pub shutdown_timeout: Duration,
    pub readiness_timeout: Duration,
    /// Identifies this process in events and logs; generated when not set.
    pub instance_id: String,
    /// The secret the gateway sends in `x-tonearm-internal-token`; when set,
    /// services refuse every request without it (see [`crate::identity`]).
    pub internal_token: Option<String>,
}

/// The address each service binds. The events service binds its WebSocket
/// listener on the same host as its HTTP API.
#[derive(Debug, Clone)]
pub struct Hosts {
    pub gateway: String,
    pub catalog: String,
    pub stream: String,
    pub events: String,
    pub stats: String,
}

impl Hosts {
    fn from_raw(raw: &RawSettings) -> Result<Self, SettingsError> {
        let host = non_empty("host", raw.host.clone())?;
        let or_shared = |own: &str| {
            if own.trim().is_empty() {
                host.clone()
            } else {
                own.trim().to_owned()
            }
        };
        Ok(Self {
            gateway: or_shared(&raw.gateway_host),
            catalog: or_shared(&raw.catalog_host),
            stream: or_shared(&raw.stream_host),
            events: or_shared(&raw.events_host),
            stats: or_shared(&raw.stats_host),
        })
    }
}

/// Base URLs of the services the gateway routes to; several per service are
/// load-balanced.
#[derive(Debug, Clone)]
pub struct Upstreams {
    pub catalog: Vec<Url>,
    pub stream: Vec<Url>,
    pub events: Vec<Url>,
    /// The events service's WebSocket listeners (`ws://` or `wss://`).
    pub events_ws: Vec<Url>,
}

#[derive(Debug, Clone)]
pub struct DatabaseSettings {
    pub url: String,
    /// The PostgreSQL schema the service's tables live in (tests use a fresh
    /// one each).
    pub schema: String,
}

#[derive(Debug, Clone)]
pub struct RedisSettings {
    pub url: String,
    /// Prepended to every key and channel name, so deployments and tests
    /// can share a server.
    pub prefix: String,
}

#[derive(Debug, Clone)]
pub struct KafkaSettings {
    /// Comma-separated `host:port` bootstrap list.
    pub brokers: String,
    pub events_topic: String,
}

impl KafkaSettings {
    /// The dead-letter topic paired with the events topic.
    pub fn dlq_topic(&self) -> String {
        match self.events_topic.strip_suffix(".v1") {
            Some(base) => format!("{base}.dlq"),
            None => format!("{}.dlq", self.events_topic),
        }
    }
}

impl Settings {
    /// Reads and validates the shared settings from all layers.
    pub fn load() -> Result<Self, SettingsError> {
        Self::try_from(extract::<RawSettings>()?)
    }

    /// `TONEARM_INTERNAL_TOKEN` where it cannot be left out: the gateway
    /// needs it to reach the services.
    pub fn required_internal_token(&self) -> Result<String, SettingsError> {
        self.internal_token.clone().ok_or_else(internal_token_required)
    }
}

/// The refusal of a missing `TONEARM_INTERNAL_TOKEN` where it is required.
pub fn internal_token_required() -> SettingsError {
    SettingsError::new(
        "internal_token",
        "required by the gateway to reach the services (set the same random secret, \
         at least 16 characters, on every service)",
    )
}

impl TryFrom<RawSettings> for Settings {
    type Error = SettingsError;

    fn try_from(raw: RawSettings) -> Result<Self, Self::Error> {
        Ok(Self {
            hosts: Hosts::from_raw(&raw)?,
            ports: Ports {
                gateway: raw.gateway_port,
                catalog: raw.catalog_port,
                stream: raw.stream_port,
                events: raw.events_port,
                stats: raw.stats_port,
                events_ws: raw.events_ws_port,
            },
            upstreams: Upstreams {
                catalog: http_urls("catalog_url", &raw.catalog_url)?,
                stream: http_urls("stream_url", &raw.stream_url)?,
                events: http_urls("events_url", &raw.events_url)?,
                events_ws: socket_urls("events_ws_url", &raw.events_ws_url)?,
            },
            database: DatabaseSettings {
                url: url_with_scheme("database_url", raw.database_url, &["postgres", "postgresql"])?,
                schema: sql_identifier("database_schema", raw.database_schema)?,
            },
            redis: RedisSettings {
                url: url_with_scheme("redis_url", raw.redis_url, &["redis", "rediss", "unix"])?,
                prefix: raw.redis_prefix,
            },
            kafka: KafkaSettings {
                brokers: broker_list("kafka_brokers", raw.kafka_brokers)?,
                events_topic: topic_name("events_topic", raw.events_topic)?,
            },
            log_format: log_format(&raw.log_format)?,
            log_filter: non_empty("log", raw.log)?,
            shutdown_timeout: Duration::from_secs(raw.shutdown_timeout_secs),
            readiness_timeout: positive_millis("readiness_timeout_ms", raw.readiness_timeout_ms)?,
            instance_id: if raw.instance_id.is_empty() {
                format!("{}-{}", hostname(), std::process::id())
            } else {
                raw.instance_id
            },
            internal_token: internal_token(raw.internal_token)?,
        })
    }
}

/// The shortest internal token accepted: long enough that it cannot be
/// guessed over the network.
pub const MIN_TOKEN_LEN: usize = 16;

fn internal_token(raw: String) -> Result<Option<String>, SettingsError> {
    let token = raw.trim();
    if token.is_empty() {
        return Ok(None);
    }
    if token.len() < MIN_TOKEN_LEN {
        return Err(SettingsError::new(
            "internal_token",
            format!(
                "expected at least {MIN_TOKEN_LEN} characters (a random secret, e.g. `openssl rand -hex 32`)"
            ),
        ));
    }
    Ok(Some(token.to_owned()))
}

#[cfg(test)]
#[allow(clippy::result_large_err)] // figment's test jail returns its own error type
mod tests;
