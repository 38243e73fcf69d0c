//! The state of one player socket: who it is, what it plays, and how its
//! messages become events.

use std::sync::Arc;

use common::events::{EventType, PlayerEvent};
use tokio::sync::watch;

use super::{Identity, WsContext, caps::SocketPermit};
use crate::{
    protocol::{self, ClientMessage, Refusal},
    publisher::spool::Record,
    songs::Known,
};

pub struct Connection {
    pub context: Arc<WsContext>,
    pub identity: Identity,
    /// The song playing, as last named (already checked with the catalog).
    pub song: Option<String>,
    pub stats: watch::Receiver<Arc<str>>,
    /// This socket's place under the caps, freed with the connection.
    _permit: SocketPermit,
}

/// The `disconnected` event is sent when the connection is dropped, so it
/// is also sent when a stopping server drops the socket's task.
impl Drop for Connection {
    fn drop(&mut self) {
        let _ = self.publish(EventType::Disconnected, self.song.clone(), None);
        self.context.connections.dec();
    }
}

impl Connection {
    pub fn new(
        context: Arc<WsContext>,
        identity: Identity,
        permit: SocketPermit,
        stats: watch::Receiver<Arc<str>>,
    ) -> Self {
        context.connections.inc();
        Self {
            context,
            identity,
            song: None,
            stats,
            _permit: permit,
        }
    }

    pub fn publish(
        &self,
        kind: EventType,
        song: Option<String>,
        position_ms: Option<u64>,
    ) -> Result<(), Refusal> {
        let event = PlayerEvent::new(
            &self.identity.session,
            self.identity.user.as_deref(),
            kind,
            &self.context.instance,
        )
        .at(song, position_ms);
        let record = Record {
            key: self.identity.session.clone(),
            request_id: self.identity.request_id.clone(),
            payload: event.encode(),
        };
        self.context
            .publisher
            .publish(record)
            .map_err(|error| Refusal::new(error.code(), error.to_string()))
    }

    /// Parses a text frame, checks a newly named song with the catalog, and
    /// publishes the event.
    pub async fn accept(&mut self, text: &str) -> Result<(), Refusal> {
        let message = protocol::parse(text)?;
        if let (Some(song), _) = message.song_and_position()
            && self.song.as_deref() != Some(song)
        {
            // Boxed, so the lookup's state is not part of every idle
            // socket's task.
            let known = Box::pin(self.context.songs.check(song)).await;
            if known == Known::No {
                return Err(Refusal::new(
                    "unknown_song",
                    format!("song {song} is not in the catalog; the event was not recorded"),
                ));
            }
        }
        self.handle(message)
    }

    /// Turns a valid message into an event; a new song switches the figures
    /// this socket receives.
    fn handle(&mut self, message: ClientMessage) -> Result<(), Refusal> {
        let kind = message.event_type();
        let (named, position) = message.song_and_position();
        let song = match (kind, named) {
            (EventType::Heartbeat, _) => None,
            (_, Some(song)) => Some(song.to_owned()),
            (_, None) => Some(self.song.clone().ok_or_else(|| {
                Refusal::new(
                    "no_song",
                    format!("{} needs a song: send play first or name the song", kind.as_str()),
                )
            })?),
        };
        self.publish(kind, song.clone(), position)?;
        let now_playing = match kind {
            EventType::Ended => None,
            EventType::Heartbeat => self.song.clone(),
            _ => song,
        };
        if now_playing != self.song {
            let (_, stats) = self.context.hub.subscribe(now_playing.as_deref());
            self.stats = stats;
            self.song = now_playing;
        }
        Ok(())
    }
}
