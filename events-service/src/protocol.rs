//! The WebSocket protocol, version 1: typed messages both ways, JSON text
//! frames with a `type` field. Documented in docs/events.md.

use common::events::EventType;
use serde::{Deserialize, Serialize};

/// The protocol version announced in `hello`.
pub const PROTOCOL_VERSION: u8 = 1;

/// A message a client sends.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum ClientMessage {
    Play {
        song: String,
        position_ms: Option<u64>,
    },
    Pause {
        song: Option<String>,
        position_ms: Option<u64>,
    },
    Resume {
        song: Option<String>,
        position_ms: Option<u64>,
    },
    Seek {
        song: Option<String>,
        position_ms: u64,
    },
    Ended {
        song: Option<String>,
        position_ms: Option<u64>,
    },
    Heartbeat {},
}

impl ClientMessage {
    /// The event type this message becomes.
    pub fn event_type(&self) -> EventType {
        match self {
            Self::Play { .. } => EventType::Play,
            Self::Pause { .. } => EventType::Pause,
            Self::Resume { .. } => EventType::Resume,
            Self::Seek { .. } => EventType::Seek,
            Self::Ended { .. } => EventType::Ended,
            Self::Heartbeat {} => EventType::Heartbeat,
        }
    }

    /// The song named in the message, if any, and the position.
    pub fn song_and_position(&self) -> (Option<&str>, Option<u64>) {
        match self {
            Self::Play { song, position_ms } => (Some(song), Some(position_ms.unwrap_or(0))),
            Self::Pause { song, position_ms }
            | Self::Resume { song, position_ms }
            | Self::Ended { song, position_ms } => (song.as_deref(), *position_ms),
            Self::Seek { song, position_ms } => (song.as_deref(), Some(*position_ms)),
            Self::Heartbeat {} => (None, None),
        }
    }
}

/// Live figures for one client.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stats {
    /// Sessions seen within the presence window.
    pub online: u64,
    /// The song the client plays, if any.
    pub song: Option<String>,
    /// Sessions playing that song.
    pub listeners: Option<u64>,
    /// Plays of that song, all time.
    pub plays: Option<u64>,
}

/// An admin's message to every listener.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Announcement {
    pub id: String,
    pub text: String,
    /// `info`, `warning` or `critical`.
    pub level: String,
    /// RFC 3339.
    pub at: String,
    /// The admin's user id, when known.
    pub from: Option<String>,
}

/// A message the server sends.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerMessage<'a> {
    Hello {
        v: u8,
        session: &'a str,
        heartbeat_ms: u64,
        stats: &'a Stats,
        announcements: &'a [Announcement],
    },
    Stats(&'a Stats),
    Announcement(&'a Announcement),
    Error {
        code: &'a str,
        message: &'a str,
    },
}

impl ServerMessage<'_> {
    pub fn to_json(&self) -> String {
        // Plain strings and numbers always serialise.
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// Why a client message was refused; sent back as an `error` message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub code: &'static str,
    pub message: String,
}

impl Refusal {
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }

    pub fn to_json(&self) -> String {
        ServerMessage::Error {
            code: self.code,
            message: &self.message,
        }
        .to_json()
    }
}

const TYPES: &str = "play, pause, resume, seek, ended, heartbeat";

/// Parses one text frame; the refusal says what was wrong.
pub fn parse(text: &str) -> Result<ClientMessage, Refusal> {
    let value: serde_json::Value = serde_json::from_str(text)
        .map_err(|error| Refusal::new("invalid_json", format!("the message is not JSON: {error}")))?;
    let Some(kind) = value
        .get("type")
        .and_then(serde_json::Value::as_str)
        .map(str::to_owned)
    else {
        return Err(Refusal::new(
            "missing_type",
            format!("expected an object with a string \"type\" ({TYPES})"),
        ));
    };
    if !TYPES.split(", ").any(|known| known == kind.as_str()) {
        return Err(Refusal::new(
            "unknown_type",
            format!("unknown message type {kind:?}; expected one of {TYPES}"),
        ));
    }
    let message: ClientMessage = serde_json::from_value(value)
        .map_err(|error| Refusal::new("invalid_message", format!("invalid {kind} message: {error}")))?;
    if let (Some(song), _) = message.song_and_position() {
        check_song_id(song)?;
    }
    Ok(message)
}

/// Song ids are lower-case hyphenated UUIDs.
fn check_song_id(song: &str) -> Result<(), Refusal> {
    let valid = uuid::Uuid::parse_str(song).is_ok_and(|id| id.hyphenated().to_string() == song);
    if valid {
        Ok(())
    } else {
        Err(Refusal::new(
            "invalid_id",
            format!("song {song:?} is not a song id (a lower-case hyphenated UUID)"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SONG: &str = "0f8fad5b-d9cb-469f-a165-70867728950e";

    #[test]
    fn typed_messages_parse() {
        let play = parse(&format!(r#"{{"type":"play","song":"{SONG}","position_ms":0}}"#)).expect("play");
        assert_eq!(play.event_type(), EventType::Play);
        assert_eq!(
            parse(r#"{"type":"heartbeat"}"#).expect("hb"),
            ClientMessage::Heartbeat {}
        );
        let seek = parse(r#"{"type":"seek","position_ms":42}"#).expect("seek");
        assert_eq!(seek.song_and_position(), (None, Some(42)));
    }

    #[test]
    fn bad_messages_say_what_is_wrong() {
        assert_eq!(parse("{oops").expect_err("json").code, "invalid_json");
        assert_eq!(
            parse(r#"{"type":"dance"}"#).expect_err("type").code,
            "unknown_type"
        );
        assert_eq!(parse(r#"[1]"#).expect_err("array").code, "missing_type");
        assert_eq!(
            parse(r#"{"type":"seek"}"#).expect_err("no pos").code,
            "invalid_message"
        );
        assert_eq!(
            parse(r#"{"type":"play","song":"../etc/passwd"}"#)
                .expect_err("id")
                .code,
            "invalid_id"
        );
        assert_eq!(
            parse(r#"{"type":"heartbeat","extra":1}"#)
                .expect_err("extra")
                .code,
            "invalid_message"
        );
    }

    #[test]
    fn server_messages_are_tagged() {
        let stats = Stats {
            online: 3,
            song: Some(SONG.into()),
            listeners: Some(1),
            plays: Some(9),
        };
        let json: serde_json::Value =
            serde_json::from_str(&ServerMessage::Stats(&stats).to_json()).expect("json");
        assert_eq!(json["type"], "stats");
        assert_eq!(json["online"], 3);
        let error: serde_json::Value =
            serde_json::from_str(&Refusal::new("invalid_json", "x").to_json()).expect("json");
        assert_eq!(error["type"], "error");
        assert_eq!(error["code"], "invalid_json");
    }
}
