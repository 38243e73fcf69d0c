//! One player socket: typed messages in, events out, live figures and
//! announcements pushed back.

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use common::events::{EventType, PlayerEvent};
use futures_util::{SinkExt as _, StreamExt as _};
use tokio::{
    net::TcpStream,
    sync::{broadcast, watch},
};
use tokio_tungstenite::{
    WebSocketStream,
    tungstenite::{
        Bytes, Error as WsError, Message,
        protocol::{
            CloseFrame,
            frame::{
                Frame,
                coding::{CloseCode, Data, OpCode},
            },
        },
    },
};

use super::{
    Identity, WsContext,
    limits::{RateLimit, Verdict},
};
use crate::{
    protocol::{self, ClientMessage, PROTOCOL_VERSION, Refusal, ServerMessage, Stats},
    publisher::spool::Record,
};

type Socket = WebSocketStream<TcpStream>;

/// How long the closing handshake may take before the connection is dropped.
const CLOSE_WAIT: Duration = Duration::from_secs(2);

/// Longer messages (a `hello` with many long announcements) go out as
/// fragments of at most this many bytes: tungstenite keeps its outgoing
/// buffer at the size of the largest frame for the socket's whole life.
const FRAGMENT: usize = 1024;

struct Connection {
    context: Arc<WsContext>,
    identity: Identity,
    song: Option<String>,
    stats: watch::Receiver<Arc<str>>,
}

fn close(code: CloseCode, reason: &str) -> Option<CloseFrame> {
    Some(CloseFrame {
        code,
        reason: reason.into(),
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

/// Sends one message; false when the client is gone or has not read for
/// the presence timeout.
async fn send(socket: &mut Socket, message: Message, within: Duration) -> bool {
    matches!(
        tokio::time::timeout(within, socket.send(message)).await,
        Ok(Ok(()))
    )
}

/// The first message: protocol version, session, heartbeat, figures and
/// the kept announcements. (Takes `stats` so that it is not kept in the
/// socket's task.)
fn hello(context: &WsContext, session: &str, stats: Stats) -> String {
    ServerMessage::Hello {
        v: PROTOCOL_VERSION,
        session,
        heartbeat_ms: u64::try_from(context.settings.heartbeat.as_millis()).unwrap_or(u64::MAX),
        stats: &stats,
        announcements: &context.hub.recent(),
    }
    .to_json()
}

/// Sends a text message, in fragments when it is long (see [`FRAGMENT`]).
async fn send_text(socket: &mut Socket, text: String, within: Duration) -> bool {
    if text.len() <= FRAGMENT {
        send(socket, Message::text(text), within).await
    } else {
        // Boxed: the rare long message does not enlarge every socket's task.
        Box::pin(send_fragments(socket, text, within)).await
    }
}

async fn send_fragments(socket: &mut Socket, text: String, within: Duration) -> bool {
    for frame in fragments(text) {
        if !send(socket, Message::Frame(frame), within).await {
            return false;
        }
    }
    true
}

/// A text message as a first frame and continuation frames, cut at
/// character boundaries.
fn fragments(text: String) -> Vec<Frame> {
    let mut cuts = vec![0];
    while let Some(&start) = cuts.last()
        && start < text.len()
    {
        let mut end = (start + FRAGMENT).min(text.len());
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        cuts.push(end);
    }
    let bytes = Bytes::from(text);
    cuts.windows(2)
        .map(|cut| {
            let (start, end) = (cut[0], cut[1]);
            let opcode = if start == 0 { Data::Text } else { Data::Continue };
            Frame::message(bytes.slice(start..end), OpCode::Data(opcode), end == bytes.len())
        })
        .collect()
}

/// Runs one socket until either side closes it.
pub async fn run(context: Arc<WsContext>, identity: Identity, mut socket: Socket) {
    tracing::debug!(request_id = identity.request_id.as_deref(), "socket opened");
    context.connections.inc();
    let (stats, stats_rx) = context.hub.subscribe(None);
    let mut connection = Connection {
        context: Arc::clone(&context),
        identity,
        song: None,
        stats: stats_rx,
    };
    let connected = connection.publish(EventType::Connected, None, None);
    let hello = hello(&context, &connection.identity.session, stats);
    let within = context.settings.presence_timeout;
    let mut ok = send_text(&mut socket, hello, within).await;
    if let (true, Err(refusal)) = (ok, connected) {
        ok = send_text(&mut socket, refusal.to_json(), within).await;
    }
    let reason = if ok {
        serve(&mut connection, &mut socket).await
    } else {
        None
    };
    drop(connection);
    finish(socket, reason).await;
}

/// Sends our close frame (or the reply to the client's) and waits briefly
/// for the other side's, so the close frame is read before the TCP
/// connection ends.
async fn finish(mut socket: Socket, reason: Option<CloseFrame>) {
    let _ = tokio::time::timeout(CLOSE_WAIT, async move {
        if socket.close(reason).await.is_ok() {
            while let Some(Ok(_)) = socket.next().await {}
        }
    })
    .await;
}

/// What woke a socket up.
enum Wake {
    Frame(Option<Result<Message, WsError>>),
    Stats(Result<(), watch::error::RecvError>),
    Announcement(Result<Arc<str>, broadcast::error::RecvError>),
    Closing,
    Ping,
}

/// Serves until the socket ends; returns the close frame to send, if any.
async fn serve(connection: &mut Connection, socket: &mut Socket) -> Option<CloseFrame> {
    let settings = &connection.context.settings;
    let presence_timeout = settings.presence_timeout;
    let mut limit = RateLimit::new(settings.rate_limit);
    let mut ping = tokio::time::interval(settings.heartbeat.min(Duration::from_secs(15)));
    let mut announcements = connection.context.hub.announcements();
    ping.reset();
    let mut last_heard = Instant::now();
    let mut closing = connection.context.closing.clone();
    loop {
        let wake = tokio::select! {
            frame = socket.next() => Wake::Frame(frame),
            changed = connection.stats.changed() => Wake::Stats(changed),
            announcement = announcements.recv() => Wake::Announcement(announcement),
            _ = closing.wait_for(|closing| *closing) => Wake::Closing,
            _ = ping.tick() => Wake::Ping,
        };
        let outgoing = match wake {
            Wake::Frame(frame) => {
                last_heard = Instant::now();
                match on_frame(connection, &mut limit, frame) {
                    Step::Reply(text) => text,
                    Step::Nothing => continue,
                    Step::Close(reason) => return reason,
                }
            }
            Wake::Stats(Ok(())) => connection.stats.borrow_and_update().to_string(),
            // The hub dropped this song; the next message resubscribes.
            Wake::Stats(Err(_)) => {
                connection.stats = connection.context.hub.subscribe(connection.song.as_deref()).1;
                continue;
            }
            Wake::Announcement(Ok(text)) => text.to_string(),
            Wake::Announcement(Err(broadcast::error::RecvError::Lagged(_))) => continue,
            Wake::Announcement(Err(broadcast::error::RecvError::Closed)) => {
                return close(CloseCode::Restart, "server restarting");
            }
            Wake::Closing => return close(CloseCode::Restart, "the server is restarting; reconnect"),
            Wake::Ping => {
                if last_heard.elapsed() > presence_timeout {
                    return close(
                        CloseCode::Away,
                        "idle: no message or pong within the presence timeout",
                    );
                }
                if !send(socket, Message::Ping(Bytes::new()), presence_timeout).await {
                    return None;
                }
                continue;
            }
        };
        if !send_text(socket, outgoing, presence_timeout).await {
            return None;
        }
    }
}

enum Step {
    Reply(String),
    Nothing,
    /// Ends the socket, sending this close frame (none: the client closed
    /// or went away; tungstenite answers a client's close by itself).
    Close(Option<CloseFrame>),
}

fn on_frame(
    connection: &mut Connection,
    limit: &mut RateLimit,
    frame: Option<Result<Message, WsError>>,
) -> Step {
    let message = match frame {
        None => return Step::Close(None),
        Some(Err(error)) => return Step::Close(refusal_of(connection, &error)),
        Some(Ok(message)) => message,
    };
    match message {
        Message::Text(text) => on_text(connection, limit, text.as_str()),
        Message::Binary(_) => Step::Close(close(
            CloseCode::Unsupported,
            "binary frames are not supported; send JSON text frames",
        )),
        // tungstenite answers pings itself; a pong only shows the client is there.
        Message::Ping(_) | Message::Pong(_) | Message::Frame(_) => Step::Nothing,
        Message::Close(_) => Step::Close(None),
    }
}

/// The close frame for a frame the socket could not accept.
fn refusal_of(connection: &Connection, error: &WsError) -> Option<CloseFrame> {
    match error {
        WsError::Capacity(_) => {
            let limit = connection.context.settings.max_frame_bytes;
            close(CloseCode::Size, &format!("frames are limited to {limit} bytes"))
        }
        WsError::Protocol(error) => close(CloseCode::Protocol, &error.to_string()),
        WsError::Utf8(_) => close(CloseCode::Invalid, "text frames must be UTF-8"),
        _ => None,
    }
}

fn on_text(connection: &mut Connection, limit: &mut RateLimit, text: &str) -> Step {
    match limit.check(Instant::now()) {
        Verdict::Allow => match protocol::parse(text).and_then(|message| connection.handle(message)) {
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
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_texts_become_fragments_cut_between_characters() {
        let text = format!("{}é{}", "a".repeat(FRAGMENT - 1), "b".repeat(FRAGMENT + 10));
        let frames = fragments(text.clone());
        assert_eq!(frames.len(), 3);
        assert_eq!(frames[0].header().opcode, OpCode::Data(Data::Text));
        assert_eq!(frames[1].header().opcode, OpCode::Data(Data::Continue));
        assert!(frames[2].header().is_final && !frames[0].header().is_final && !frames[1].header().is_final);
        let joined: Vec<u8> = frames.iter().flat_map(|frame| frame.payload().to_vec()).collect();
        assert_eq!(joined, text.as_bytes());
        assert!(frames.iter().all(|frame| frame.payload().len() <= FRAGMENT));
        assert_eq!(frames[0].payload().len(), FRAGMENT - 1, "é is not split");
    }
}
