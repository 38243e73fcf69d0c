//! `TONEARM_EVENTS_PRESENCE_TIMEOUT_MS`, read by the events service (a
//! socket silent this long is closed) and the stats consumer (a session
//! without an event this long leaves the online and listener figures).

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::{SettingsError, lenient, positive_millis};

/// The raw value, read with [`super::extract`] next to a service's own
/// settings.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct RawPresenceSettings {
    #[serde(deserialize_with = "lenient::parse")]
    pub events_presence_timeout_ms: u64,
}

impl Default for RawPresenceSettings {
    fn default() -> Self {
        Self {
            events_presence_timeout_ms: 45_000,
        }
    }
}

impl RawPresenceSettings {
    /// How long a session stays present without a sign of life.
    pub fn presence_timeout(&self) -> Result<Duration, SettingsError> {
        positive_millis("events_presence_timeout_ms", self.events_presence_timeout_ms)
    }
}
