//! One player socket: typed messages in, events out, live figures and
//! announcements pushed back.

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use actix_ws::{AggregatedMessage, AggregatedMessageStream, CloseCode, CloseReason, ProtocolError, Session};
use common::events::{EventType, PlayerEvent};
use tokio::sync::{broadcast, watch};

use super::{
    Identity, WsContext,
    limits::{RateLimit, Verdict},
};
use crate::{
    protocol::{self, ClientMessage, PROTOCOL_VERSION, Refusal, ServerMessage},
    publisher::spool::Record,
};

struct Connection {
    context: Arc<WsContext>,
    identity: Identity,
    song: Option<String>,
    stats: watch::Receiver<Arc<str>>,
}

fn close(code: CloseCode, description: &str) -> Option<CloseReason> {
    Some(CloseReason {
        code,
        description: Some(description.to_owned()),
    })
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
    fn publish(
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

/// Runs one socket until either side closes it.
pub async fn run(
    context: Arc<WsContext>,
    identity: Identity,
    mut session: Session,
    mut stream: AggregatedMessageStream,
) {
    context.connections.inc();
    let (stats, stats_rx) = context.hub.subscribe(None);
    let mut connection = Connection {
        context: Arc::clone(&context),
        identity,
        song: None,
        stats: stats_rx,
    };
    let connected = connection.publish(EventType::Connected, None, None);
    let recent = context.hub.recent();
    let hello = ServerMessage::Hello {
        v: PROTOCOL_VERSION,
        session: &connection.identity.session,
        heartbeat_ms: u64::try_from(context.settings.heartbeat.as_millis()).unwrap_or(u64::MAX),
        stats: &stats,
        announcements: &recent,
    };
    let mut ok = session.text(hello.to_json()).await.is_ok();
    if let (true, Err(refusal)) = (ok, connected) {
        ok = session.text(refusal.to_json()).await.is_ok();
    }
    let reason = if ok {
        serve(&mut connection, &mut session, &mut stream).await
    } else {
        None
    };
    drop(connection);
    let _ = session.close(reason).await;
}

async fn serve(
    connection: &mut Connection,
    session: &mut Session,
    stream: &mut AggregatedMessageStream,
) -> Option<CloseReason> {
    let settings = connection.context.settings.clone();
    let mut announcements = connection.context.hub.announcements();
    let mut limit = RateLimit::new(settings.rate_limit);
    let mut ping = tokio::time::interval(settings.heartbeat.min(Duration::from_secs(15)));
    ping.reset();
    let mut last_heard = Instant::now();
    let mut closing = connection.context.closing.clone();
    loop {
        let outgoing: Option<String> = tokio::select! {
            frame = stream.recv() => {
                last_heard = Instant::now();
                match on_frame(connection, &mut limit, frame) {
                    Step::Reply(text) => Some(text),
                    Step::Pong(bytes) => {
                        if session.pong(&bytes).await.is_err() { return None; }
                        None
                    }
                    Step::Nothing => None,
                    Step::Close(reason) => return reason,
                }
            }
            changed = connection.stats.changed() => match changed {
                Ok(()) => Some(connection.stats.borrow_and_update().to_string()),
                // The hub dropped this song; the next message resubscribes.
                Err(_) => { connection.stats = connection.context.hub.subscribe(connection.song.as_deref()).1; None }
            },
            announcement = announcements.recv() => match announcement {
                Ok(text) => Some(text.to_string()),
                Err(broadcast::error::RecvError::Lagged(_)) => None,
                Err(broadcast::error::RecvError::Closed) => return close(CloseCode::Restart, "server restarting"),
            },
            _ = closing.wait_for(|closing| *closing) => {
                return close(CloseCode::Restart, "the server is restarting; reconnect");
            }
            _ = ping.tick() => {
                if last_heard.elapsed() > settings.presence_timeout {
                    return close(CloseCode::Away, "idle: no message or pong within the presence timeout");
                }
                if session.ping(b"").await.is_err() { return None; }
                None
            }
        };
        if let Some(text) = outgoing
            && session.text(text).await.is_err()
        {
            return None;
        }
    }
}

enum Step {
    Reply(String),
    Pong(Vec<u8>),
    Nothing,
    Close(Option<CloseReason>),
}

fn on_frame(
    connection: &mut Connection,
    limit: &mut RateLimit,
    frame: Option<Result<AggregatedMessage, ProtocolError>>,
) -> Step {
    let message = match frame {
        None => return Step::Close(None),
        Some(Err(ProtocolError::Overflow)) => {
            let limit = connection.context.settings.max_frame_bytes;
            return Step::Close(close(
                CloseCode::Size,
                &format!("frames are limited to {limit} bytes"),
            ));
        }
        Some(Err(error)) => return Step::Close(close(CloseCode::Protocol, &error.to_string())),
        Some(Ok(message)) => message,
    };
    match message {
        AggregatedMessage::Text(text) => match limit.check(Instant::now()) {
            Verdict::Allow => match protocol::parse(&text).and_then(|message| connection.handle(message)) {
                Ok(()) => Step::Nothing,
                Err(refusal) => Step::Reply(refusal.to_json()),
            },
            Verdict::Refuse { tell: true } => Step::Reply(
                Refusal::new(
                    "rate_limited",
                    format!(
                        "more than {} messages per second; extra messages are ignored",
                        connection.context.settings.rate_limit
                    ),
                )
                .to_json(),
            ),
            Verdict::Refuse { tell: false } => Step::Nothing,
            Verdict::Close => Step::Close(close(CloseCode::Policy, "message rate far above the limit")),
        },
        AggregatedMessage::Binary(_) => Step::Close(close(
            CloseCode::Unsupported,
            "binary frames are not supported; send JSON text frames",
        )),
        AggregatedMessage::Ping(bytes) => Step::Pong(bytes.to_vec()),
        AggregatedMessage::Pong(_) => Step::Nothing,
        AggregatedMessage::Close(reason) => Step::Close(reason),
    }
}
