//! The player event, version 1: one JSON value per Kafka record on the
//! events topic (`TONEARM_EVENTS_TOPIC`, default `tonearm.player-events.v1`),
//! keyed by session id so one session's events stay in order.
//!
//! The JSON Schema in `docs/event-schema.v1.json` is generated from these
//! types; a test fails when the checked-in file is stale.

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The only version this code writes and reads.
pub const VERSION: u8 = 1;

/// Kafka header carrying the request id of the WebSocket upgrade.
pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// Kafka header on dead-letter records saying why the record was refused.
pub const DLQ_REASON_HEADER: &str = "x-tonearm-dlq-reason";

/// What happened in a player session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum EventType {
    /// The WebSocket session opened.
    Connected,
    /// The WebSocket session closed (or the server gave up on it).
    Disconnected,
    /// A song started playing (`song` set, `position_ms` where it started).
    Play,
    /// Playback paused at `position_ms`.
    Pause,
    /// Playback resumed at `position_ms`.
    Resume,
    /// The listener jumped to `position_ms`.
    Seek,
    /// The song played to its end.
    Ended,
    /// The client is still there (sent every 15 s by default).
    Heartbeat,
}

impl EventType {
    /// The wire name (`play`, `heartbeat`...).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Connected => "connected",
            Self::Disconnected => "disconnected",
            Self::Play => "play",
            Self::Pause => "pause",
            Self::Resume => "resume",
            Self::Seek => "seek",
            Self::Ended => "ended",
            Self::Heartbeat => "heartbeat",
        }
    }
}

/// One player event, version 1. Every field is always present; absent
/// values are `null`, so consumers in any language see one shape.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "Tonearm player event v1")]
pub struct PlayerEvent {
    /// Schema version; always 1.
    #[schemars(range(min = 1, max = 1))]
    pub v: u8,
    /// Unique event id, a UUID v7 (time-ordered).
    #[schemars(with = "String", extend("format" = "uuid"))]
    pub id: Uuid,
    /// When the server accepted the event, RFC 3339 in UTC.
    #[schemars(with = "String", extend("format" = "date-time"))]
    pub ts: DateTime<Utc>,
    /// The player session (the Kafka record key).
    pub session: String,
    /// The signed-in user, or null for anonymous listeners.
    pub user: Option<String>,
    /// What happened.
    #[serde(rename = "type")]
    pub kind: EventType,
    /// The song concerned, or null (connected, disconnected, heartbeat).
    pub song: Option<String>,
    /// Playback position in milliseconds, or null when it does not apply.
    pub position_ms: Option<u64>,
    /// The events-service instance that accepted the event.
    pub instance: String,
}

impl PlayerEvent {
    /// A new event stamped now with a fresh UUID v7.
    pub fn new(session: &str, user: Option<&str>, kind: EventType, instance: &str) -> Self {
        Self {
            v: VERSION,
            id: Uuid::now_v7(),
            ts: Utc::now(),
            session: session.to_owned(),
            user: user.map(str::to_owned),
            kind,
            song: None,
            position_ms: None,
            instance: instance.to_owned(),
        }
    }

    /// Sets the song and position.
    pub fn at(mut self, song: Option<String>, position_ms: Option<u64>) -> Self {
        self.song = song;
        self.position_ms = position_ms;
        self
    }

    /// The JSON bytes of the Kafka record value.
    pub fn encode(&self) -> Vec<u8> {
        // Serialising plain strings, numbers and enums cannot fail.
        serde_json::to_vec(self).unwrap_or_default()
    }

    /// Reads a record value; tells an unknown version apart from garbage so
    /// the dead-letter record says which it was.
    pub fn decode(bytes: &[u8]) -> Result<Self, DecodeError> {
        let value: serde_json::Value =
            serde_json::from_slice(bytes).map_err(|error| DecodeError::Unparsable(error.to_string()))?;
        match value.get("v").and_then(serde_json::Value::as_u64) {
            Some(1) => {}
            Some(other) => return Err(DecodeError::UnknownVersion(other.to_string())),
            None => return Err(DecodeError::UnknownVersion(format!("{:?}", value.get("v")))),
        }
        serde_json::from_value(value).map_err(|error| DecodeError::Invalid(error.to_string()))
    }

    /// Milliseconds since the Unix epoch of `ts`.
    pub fn ts_millis(&self) -> i64 {
        self.ts.timestamp_millis()
    }
}

/// Why a record value is not a v1 player event.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("unparsable: {0}")]
    Unparsable(String),
    #[error("unknown version {0}")]
    UnknownVersion(String),
    #[error("invalid v1 event: {0}")]
    Invalid(String),
}

impl DecodeError {
    /// A short machine-readable reason for the dead-letter header.
    pub fn reason_code(&self) -> &'static str {
        match self {
            Self::Unparsable(_) => "unparsable",
            Self::UnknownVersion(_) => "unknown_version",
            Self::Invalid(_) => "invalid",
        }
    }
}

/// Names of the Redis keys and channels of the stats fold (documented in
/// docs/redis-keys.md), shared by the service that writes them
/// (stats-consumer) and the one that reads them (events-service).
#[derive(Debug, Clone)]
pub struct StatsKeys {
    prefix: String,
}

impl StatsKeys {
    /// Keys under `prefix` (`TONEARM_REDIS_PREFIX`, `tonearm:` by default).
    pub fn new(prefix: impl Into<String>) -> Self {
        Self {
            prefix: prefix.into(),
        }
    }

    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// ZSET session -> last-seen ms.
    pub fn presence(&self) -> String {
        format!("{}presence", self.prefix)
    }

    /// ZSET session -> last-seen ms of the sessions playing `song`.
    pub fn listeners(&self, song: &str) -> String {
        format!("{}song:{song}:listeners", self.prefix)
    }

    /// Counter of plays of `song`.
    pub fn plays(&self, song: &str) -> String {
        format!("{}song:{song}:plays", self.prefix)
    }

    /// Counter of all plays.
    pub fn plays_total(&self) -> String {
        format!("{}plays:total", self.prefix)
    }

    /// HASH partition -> next offset to apply.
    pub fn offsets(&self) -> String {
        format!("{}consumer:offsets", self.prefix)
    }

    /// Pub/sub channel of change notices from the consumer.
    pub fn stats_changed(&self) -> String {
        format!("{}stats-changed", self.prefix)
    }

    /// Pub/sub channel of announcements.
    pub fn announcements(&self) -> String {
        format!("{}announcements", self.prefix)
    }

    /// LIST of the latest announcements, newest first.
    pub fn announcements_recent(&self) -> String {
        format!("{}announcements:recent", self.prefix)
    }
}

/// The JSON Schema of [`PlayerEvent`], pretty-printed with a final newline.
pub fn json_schema() -> String {
    let schema = schemars::schema_for!(PlayerEvent);
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> PlayerEvent {
        PlayerEvent::new("s-1", None, EventType::Play, "events-1")
            .at(Some("0f8fad5b-d9cb-469f-a165-70867728950e".into()), Some(1500))
    }

    #[test]
    fn the_wire_shape_matches_the_design() {
        let value: serde_json::Value = serde_json::from_slice(&sample().encode()).expect("json");
        let mut keys: Vec<&str> = value
            .as_object()
            .expect("object")
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            [
                "id",
                "instance",
                "position_ms",
                "session",
                "song",
                "ts",
                "type",
                "user",
                "v"
            ]
        );
        assert_eq!(value["v"], 1);
        assert_eq!(value["type"], "play");
        assert!(value["user"].is_null(), "absent values are null, not missing");
        assert_eq!(value["position_ms"], 1500);
        assert_eq!(value["id"].as_str().expect("id").len(), 36);
    }

    #[test]
    fn events_round_trip() {
        let event = sample();
        assert_eq!(PlayerEvent::decode(&event.encode()).expect("decodes"), event);
    }

    #[test]
    fn garbage_and_other_versions_are_told_apart() {
        assert_eq!(
            PlayerEvent::decode(b"{not json")
                .expect_err("garbage")
                .reason_code(),
            "unparsable"
        );
        let mut value = serde_json::to_value(sample()).expect("value");
        value["v"] = 2.into();
        let bytes = serde_json::to_vec(&value).expect("bytes");
        assert_eq!(
            PlayerEvent::decode(&bytes).expect_err("v2").reason_code(),
            "unknown_version"
        );
        value["v"] = 1.into();
        value["type"] = "dance".into();
        let bytes = serde_json::to_vec(&value).expect("bytes");
        assert_eq!(
            PlayerEvent::decode(&bytes).expect_err("bad type").reason_code(),
            "invalid"
        );
    }

    #[test]
    fn the_checked_in_schema_is_current() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/event-schema.v1.json");
        let generated = json_schema();
        if std::env::var_os("TONEARM_WRITE_SCHEMA").is_some() {
            std::fs::write(&path, &generated).expect("writing the schema");
        }
        let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            checked_in == generated,
            "docs/event-schema.v1.json is stale; regenerate it with \
             TONEARM_WRITE_SCHEMA=1 cargo test -p common events"
        );
    }

    #[test]
    fn the_schema_lists_every_event_type() {
        let schema = json_schema();
        for kind in [
            "connected",
            "disconnected",
            "play",
            "pause",
            "resume",
            "seek",
            "ended",
            "heartbeat",
        ] {
            assert!(schema.contains(&format!("\"{kind}\"")), "{kind} missing");
        }
    }
}
