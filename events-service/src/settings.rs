//! Settings of the events service beyond the shared ones.

use std::{path::PathBuf, time::Duration};

use common::settings::{KnownSettings, SettingsError, extract, lenient, positive_millis};
use serde::{Deserialize, Serialize};

/// Raw values as read from defaults, the TOML file and `TONEARM_*`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
struct RawEventsSettings {
    /// Read only to name the default spool directory after the port.
    #[serde(deserialize_with = "lenient::parse")]
    events_port: u16,
    events_spool_dir: String,
    #[serde(deserialize_with = "lenient::parse")]
    events_spool_max_bytes: u64,
    #[serde(deserialize_with = "lenient::parse")]
    events_queue_capacity: usize,
    #[serde(deserialize_with = "lenient::parse")]
    events_inflight_max: usize,
    #[serde(deserialize_with = "lenient::parse")]
    events_heartbeat_ms: u64,
    #[serde(deserialize_with = "lenient::parse")]
    events_presence_timeout_ms: u64,
    #[serde(deserialize_with = "lenient::parse")]
    events_max_frame_bytes: usize,
    #[serde(deserialize_with = "lenient::parse")]
    events_rate_limit: u32,
    #[serde(deserialize_with = "lenient::parse")]
    events_tick_ms: u64,
    #[serde(deserialize_with = "lenient::parse")]
    events_announcements_kept: usize,
}

impl Default for RawEventsSettings {
    fn default() -> Self {
        Self {
            events_port: 8083,
            events_spool_dir: String::new(),
            events_spool_max_bytes: 256 * 1024 * 1024,
            events_queue_capacity: 65_536,
            events_inflight_max: 50_000,
            events_heartbeat_ms: 15_000,
            events_presence_timeout_ms: 45_000,
            events_max_frame_bytes: 4096,
            events_rate_limit: 20,
            events_tick_ms: 250,
            events_announcements_kept: 20,
        }
    }
}

/// Validated settings of the events service.
#[derive(Debug, Clone)]
pub struct EventsSettings {
    /// Where events wait on disk while the broker is away; one directory
    /// per instance (default `$TMPDIR/tonearm-spool/events-{port}`).
    pub spool_dir: PathBuf,
    /// The spool refuses new events beyond this size.
    pub spool_max_bytes: u64,
    /// Events waiting in memory between sockets and the producer.
    pub queue_capacity: usize,
    /// Events handed to the Kafka client but not yet acknowledged; beyond
    /// this, new events go to the spool.
    pub inflight_max: usize,
    /// How often clients are asked to send a heartbeat (and pinged).
    pub heartbeat: Duration,
    /// A session without a heartbeat for this long is gone; a socket silent
    /// this long is closed.
    pub presence_timeout: Duration,
    /// Largest accepted WebSocket frame.
    pub max_frame_bytes: usize,
    /// Messages per second one socket may send.
    pub rate_limit: u32,
    /// How often live figures are pushed (coalescing period).
    pub tick: Duration,
    /// How many announcements are kept for clients that connect later.
    pub announcements_kept: usize,
}

impl EventsSettings {
    /// Reads and validates the events settings from all layers.
    pub fn load() -> Result<Self, SettingsError> {
        Self::try_from(extract::<RawEventsSettings>()?)
    }
}

fn at_least<T: PartialOrd + std::fmt::Display + Copy>(
    key: &str,
    value: T,
    min: T,
) -> Result<T, SettingsError> {
    if value < min {
        return Err(SettingsError::new(
            key,
            format!("expected at least {min}, got {value}"),
        ));
    }
    Ok(value)
}

impl TryFrom<RawEventsSettings> for EventsSettings {
    type Error = SettingsError;

    fn try_from(raw: RawEventsSettings) -> Result<Self, Self::Error> {
        // One spool per instance: instances on one machine differ by port.
        let spool_dir = if raw.events_spool_dir.trim().is_empty() {
            std::env::temp_dir()
                .join("tonearm-spool")
                .join(format!("events-{}", raw.events_port))
        } else {
            PathBuf::from(raw.events_spool_dir)
        };
        let heartbeat = positive_millis("events_heartbeat_ms", raw.events_heartbeat_ms)?;
        let presence_timeout = positive_millis("events_presence_timeout_ms", raw.events_presence_timeout_ms)?;
        if presence_timeout <= heartbeat {
            return Err(SettingsError::new(
                "events_presence_timeout_ms",
                "expected more than TONEARM_EVENTS_HEARTBEAT_MS",
            ));
        }
        Ok(Self {
            spool_dir,
            spool_max_bytes: at_least("events_spool_max_bytes", raw.events_spool_max_bytes, 4096)?,
            queue_capacity: at_least("events_queue_capacity", raw.events_queue_capacity, 1)?,
            inflight_max: at_least("events_inflight_max", raw.events_inflight_max, 1)?,
            heartbeat,
            presence_timeout,
            max_frame_bytes: at_least("events_max_frame_bytes", raw.events_max_frame_bytes, 256)?,
            rate_limit: at_least("events_rate_limit", raw.events_rate_limit, 1)?,
            tick: positive_millis("events_tick_ms", raw.events_tick_ms)?,
            announcements_kept: at_least("events_announcements_kept", raw.events_announcements_kept, 1)?,
        })
    }
}

/// For `--check-config`: validates the events service's own settings and
/// names them.
pub fn check_config(_: &common::Settings) -> Result<KnownSettings, SettingsError> {
    EventsSettings::load()?;
    Ok(KnownSettings::of::<RawEventsSettings>())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_validate() {
        let settings = EventsSettings::try_from(RawEventsSettings::default()).expect("valid");
        assert_eq!(settings.max_frame_bytes, 4096);
        assert_eq!(settings.heartbeat, Duration::from_secs(15));
    }

    #[test]
    fn presence_must_outlast_heartbeats() {
        let raw = RawEventsSettings {
            events_presence_timeout_ms: 1000,
            ..RawEventsSettings::default()
        };
        let error = EventsSettings::try_from(raw).expect_err("refused");
        assert_eq!(error.name, "TONEARM_EVENTS_PRESENCE_TIMEOUT_MS");
    }
}
