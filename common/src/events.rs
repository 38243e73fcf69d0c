//! The player event, version 2: one JSON value per Kafka record on the
//! events topic (`TONEARM_EVENTS_TOPIC`, default `tonearm.player-events.v1`),
//! keyed by session id so one session's events stay in order.
//!
//! Version 2 adds `source` (where the event came from: a player socket or
//! a Subsonic app) and nothing else, so readers accept both versions: a
//! version 1 event is read as coming from a socket.
//!
//! The JSON Schema in `docs/event-schema.v2.json` is generated from these
//! types; a test fails when the checked-in file is stale.

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The version this code writes.
pub const VERSION: u8 = 2;

/// Versions this code reads: 1 (no `source`) and 2.
pub const READABLE_VERSIONS: [u64; 2] = [1, 2];

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
    /// Every event type, in the order of [`EventType`].
    pub const ALL: [Self; 8] = [
        Self::Connected,
        Self::Disconnected,
        Self::Play,
        Self::Pause,
        Self::Resume,
        Self::Seek,
        Self::Ended,
        Self::Heartbeat,
    ];

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

/// Where an event came from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// A player WebSocket (`/ws`: the web player, any client of that
    /// protocol). Version 1 events, which have no `source`, are these.
    #[default]
    Socket,
    /// A Subsonic app's `scrobble` call (`/rest/scrobble`).
    Subsonic,
}

impl Source {
    /// The wire name (`socket`, `subsonic`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Socket => "socket",
            Self::Subsonic => "subsonic",
        }
    }
}

/// One player event, version 2. Every field is always present; absent
/// values are `null`, so consumers in any language see one shape.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "Tonearm player event v2")]
pub struct PlayerEvent {
    /// Schema version: 2 when written by this code; 1 in older records,
    /// which have no `source`.
    #[schemars(range(min = 1, max = 2))]
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
    /// Where the event came from (version 2; `socket` when absent).
    #[serde(default)]
    pub source: Source,
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
            source: Source::Socket,
        }
    }

    /// Sets where the event came from.
    pub fn from_source(mut self, source: Source) -> Self {
        self.source = source;
        self
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
            Some(version) if READABLE_VERSIONS.contains(&version) => {}
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

/// Why a record value is not a player event of a readable version.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("unparsable: {0}")]
    Unparsable(String),
    #[error("unknown version {0}")]
    UnknownVersion(String),
    #[error("invalid event: {0}")]
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
                "source",
                "ts",
                "type",
                "user",
                "v"
            ]
        );
        assert_eq!(value["v"], 2);
        assert_eq!(value["source"], "socket");
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
        value["v"] = 3.into();
        let bytes = serde_json::to_vec(&value).expect("bytes");
        assert_eq!(
            PlayerEvent::decode(&bytes).expect_err("v3").reason_code(),
            "unknown_version"
        );
        value["v"] = 2.into();
        value["type"] = "dance".into();
        let bytes = serde_json::to_vec(&value).expect("bytes");
        assert_eq!(
            PlayerEvent::decode(&bytes).expect_err("bad type").reason_code(),
            "invalid"
        );
    }

    #[test]
    fn version_1_events_are_read_as_socket_events() {
        let v1 = br#"{"v":1,"id":"0193c9b2-7f00-7000-8000-000000000000","ts":"2026-11-25T14:00:00.123456Z",
            "session":"sess-1","user":null,"type":"play",
            "song":"0f8fad5b-d9cb-469f-a165-70867728950e","position_ms":0,"instance":"host-1234"}"#;
        let event = PlayerEvent::decode(v1).expect("a v1 event is readable");
        assert_eq!(
            (event.v, event.source, event.kind),
            (1, Source::Socket, EventType::Play)
        );
    }

    #[test]
    fn subsonic_events_say_so_on_the_wire() {
        let event = sample().from_source(Source::Subsonic);
        let value: serde_json::Value = serde_json::from_slice(&event.encode()).expect("json");
        assert_eq!(value["source"], "subsonic");
        assert_eq!(PlayerEvent::decode(&event.encode()).expect("decodes"), event);
    }

    #[test]
    fn the_checked_in_schema_is_current() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/event-schema.v2.json");
        let generated = json_schema();
        if std::env::var_os("TONEARM_WRITE_SCHEMA").is_some() {
            std::fs::write(&path, &generated).expect("writing the schema");
        }
        let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            checked_in == generated,
            "docs/event-schema.v2.json is stale; regenerate it with \
             TONEARM_WRITE_SCHEMA=1 cargo test -p common events"
        );
    }

    #[test]
    fn the_schema_lists_every_event_type() {
        let schema = json_schema();
        for kind in EventType::ALL.map(EventType::as_str) {
            assert!(schema.contains(&format!("\"{kind}\"")), "{kind} missing");
        }
    }
}
