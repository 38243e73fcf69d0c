//! Settings of the events service beyond the shared ones.

use std::{path::PathBuf, time::Duration};

use common::settings::{
    KnownSettings, RawPresenceSettings, SettingsError, extract, lenient, origins, positive_millis,
};
use serde::{Deserialize, Serialize};

/// Raw values as read from defaults, the TOML file and `TONEARM_*`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
struct RawEventsSettings {
    /// Read only to name the default spool directory after the port.
    #[serde(deserialize_with = "lenient::parse")]
    events_port: u16,
    events_data_dir: String,
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
    events_max_frame_bytes: usize,
    #[serde(deserialize_with = "lenient::parse")]
    events_rate_limit: u32,
    #[serde(deserialize_with = "lenient::parse")]
    events_tick_ms: u64,
    #[serde(deserialize_with = "lenient::parse")]
    events_announcements_kept: usize,
    #[serde(deserialize_with = "lenient::parse")]
    events_max_sockets_per_user: usize,
    #[serde(deserialize_with = "lenient::parse")]
    events_max_sockets_per_address: usize,
    #[serde(deserialize_with = "lenient::parse")]
    events_song_cache_size: usize,
    #[serde(deserialize_with = "lenient::parse")]
    events_song_known_ttl_secs: u64,
    #[serde(deserialize_with = "lenient::parse")]
    events_song_unknown_ttl_secs: u64,
    #[serde(deserialize_with = "lenient::parse")]
    events_catalog_timeout_ms: u64,
    /// The gateway's `TONEARM_PUBLIC_ORIGINS`, read here too.
    public_origins: String,
}

impl Default for RawEventsSettings {
    fn default() -> Self {
        Self {
            events_port: 8083,
            events_data_dir: String::new(),
            events_spool_dir: String::new(),
            events_spool_max_bytes: 256 * 1024 * 1024,
            events_queue_capacity: 65_536,
            events_inflight_max: 50_000,
            events_heartbeat_ms: 15_000,
            events_max_frame_bytes: 4096,
            events_rate_limit: 20,
            events_tick_ms: 250,
            events_announcements_kept: 20,
            events_max_sockets_per_user: 20,
            events_max_sockets_per_address: 50,
            events_song_cache_size: 10_000,
            events_song_known_ttl_secs: 300,
            events_song_unknown_ttl_secs: 30,
            events_catalog_timeout_ms: 2_000,
            public_origins: String::new(),
        }
    }
}

/// Validated settings of the events service.
#[derive(Debug, Clone)]
pub struct EventsSettings {
    /// Where events wait on disk while the broker is away; one private
    /// directory per instance (default `{data dir}/spool-{port}`, the data
    /// dir being `TONEARM_EVENTS_DATA_DIR`, else
    /// `$XDG_STATE_HOME/tonearm/events`, else `.tonearm/data/events` under
    /// the working directory: never a shared temporary directory).
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
    /// Open sockets one signed-in user may hold.
    pub max_sockets_per_user: usize,
    /// Open sockets one client address (an IPv6 /64) may hold.
    pub max_sockets_per_address: usize,
    /// How the song ids of events are checked against the catalog.
    pub song_check: SongCheckSettings,
    /// Browser origins allowed to open a socket directly on the socket port
    /// when no internal token is configured (development); origins as
    /// `scheme://host[:port]`.
    pub public_origins: Vec<String>,
}

/// The catalog check of song ids (see `crate::songs`).
#[derive(Debug, Clone)]
pub struct SongCheckSettings {
    /// Answers kept in memory at most.
    pub cache_size: usize,
    /// How long a song the catalog knows is taken as known.
    pub known_ttl: Duration,
    /// How long a song the catalog does not know is refused without asking.
    pub unknown_ttl: Duration,
    /// How long one check may take before the event is accepted unchecked.
    pub timeout: Duration,
}

impl EventsSettings {
    /// Reads and validates the events settings from all layers.
    pub fn load() -> Result<Self, SettingsError> {
        Self::validate(
            extract::<RawEventsSettings>()?,
            &extract::<RawPresenceSettings>()?,
        )
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

impl EventsSettings {
    fn validate(raw: RawEventsSettings, presence: &RawPresenceSettings) -> Result<Self, SettingsError> {
        // One spool per instance: instances on one machine differ by port.
        let spool_dir = if raw.events_spool_dir.trim().is_empty() {
            data_dir(&raw.events_data_dir).join(format!("spool-{}", raw.events_port))
        } else {
            PathBuf::from(raw.events_spool_dir)
        };
        let heartbeat = positive_millis("events_heartbeat_ms", raw.events_heartbeat_ms)?;
        let presence_timeout = presence.presence_timeout()?;
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
            max_sockets_per_user: at_least(
                "events_max_sockets_per_user",
                raw.events_max_sockets_per_user,
                1,
            )?,
            max_sockets_per_address: at_least(
                "events_max_sockets_per_address",
                raw.events_max_sockets_per_address,
                1,
            )?,
            song_check: SongCheckSettings {
                cache_size: at_least("events_song_cache_size", raw.events_song_cache_size, 1)?,
                known_ttl: Duration::from_secs(raw.events_song_known_ttl_secs),
                unknown_ttl: Duration::from_secs(raw.events_song_unknown_ttl_secs),
                timeout: positive_millis("events_catalog_timeout_ms", raw.events_catalog_timeout_ms)?,
            },
            public_origins: origins("public_origins", &raw.public_origins)?,
        })
    }
}

/// For `--check-config`: validates the events service's own settings and
/// names them.
pub fn check_config(_: &common::Settings) -> Result<KnownSettings, SettingsError> {
    EventsSettings::load()?;
    Ok(KnownSettings::of::<RawEventsSettings>().and::<RawPresenceSettings>())
}

/// `TONEARM_EVENTS_DATA_DIR`, else `$XDG_STATE_HOME/tonearm/events`, else
/// `.tonearm/data/events` (relative to the working directory, as the rest
/// of `.tonearm/`).
fn data_dir(configured: &str) -> PathBuf {
    if !configured.trim().is_empty() {
        return PathBuf::from(configured.trim());
    }
    match std::env::var_os("XDG_STATE_HOME").filter(|value| !value.is_empty()) {
        Some(state) => PathBuf::from(state).join("tonearm").join("events"),
        None => PathBuf::from(".tonearm").join("data").join("events"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_validate() {
        let settings =
            EventsSettings::validate(RawEventsSettings::default(), &RawPresenceSettings::default())
                .expect("valid");
        assert_eq!(settings.max_frame_bytes, 4096);
        assert_eq!(settings.heartbeat, Duration::from_secs(15));
        assert_eq!(
            (settings.max_sockets_per_user, settings.max_sockets_per_address),
            (20, 50)
        );
        assert!(
            !settings.spool_dir.starts_with(std::env::temp_dir()),
            "the spool is not in a shared temporary directory: {}",
            settings.spool_dir.display()
        );
    }

    #[test]
    fn public_origins_are_normalised_and_checked() {
        let raw = RawEventsSettings {
            public_origins: "https://music.example.org/, http://127.0.0.1:5173".into(),
            ..RawEventsSettings::default()
        };
        let settings = EventsSettings::validate(raw, &RawPresenceSettings::default()).expect("valid");
        assert_eq!(
            settings.public_origins,
            ["https://music.example.org", "http://127.0.0.1:5173"]
        );
        let raw = RawEventsSettings {
            public_origins: "music.example.org".into(),
            ..RawEventsSettings::default()
        };
        let error = EventsSettings::validate(raw, &RawPresenceSettings::default()).expect_err("refused");
        assert_eq!(error.name, "TONEARM_PUBLIC_ORIGINS");
    }

    #[test]
    fn presence_must_outlast_heartbeats() {
        let presence = RawPresenceSettings {
            events_presence_timeout_ms: 1000,
        };
        let error = EventsSettings::validate(RawEventsSettings::default(), &presence).expect_err("refused");
        assert_eq!(error.name, "TONEARM_EVENTS_PRESENCE_TIMEOUT_MS");
    }
}
