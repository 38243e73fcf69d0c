//! Redis clients and key names. Every key and channel starts with the
//! configured prefix (`TONEARM_REDIS_PREFIX`, `tonearm:` by default), so
//! tests and several deployments can share one server.

use anyhow::Context as _;

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
/// is down. Services share one connection through
/// [`crate::redis_conn::LazyRedis`].
pub fn client(settings: &RedisSettings) -> anyhow::Result<redis::Client> {
    redis::Client::open(settings.url.as_str()).context("parsing TONEARM_REDIS_URL")
}
