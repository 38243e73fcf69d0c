//! One player socket: typed messages in, events out, live figures and
//! announcements pushed back.

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use common::events::EventType;
use futures_util::StreamExt as _;
use tokio::sync::{broadcast, watch};
use tokio_tungstenite::tungstenite::{
    Bytes, Error as WsError, Message,
    protocol::{CloseFrame, frame::coding::CloseCode},
};

use super::{
    WsContext,
    connection::Connection,
    handshake::Admitted,
    limits::{RateLimit, Verdict},
    outgoing::{Socket, send, send_text},
};
use crate::protocol::{PROTOCOL_VERSION, Refusal, ServerMessage, Stats};

/// How long the closing handshake may take before the connection is dropped.
const CLOSE_WAIT: Duration = Duration::from_secs(2);

fn close(code: CloseCode, reason: &str) -> Option<CloseFrame> {
    Some(CloseFrame {
        code,
        reason: reason.into(),
    })
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

/// Runs one socket until either side closes it.
pub async fn run(context: Arc<WsContext>, admitted: Admitted, mut socket: Socket) {
    let Admitted { identity, permit } = admitted;
    tracing::debug!(request_id = identity.request_id.as_deref(), "socket opened");
    let (stats, stats_rx) = context.hub.subscribe(None);
    let mut connection = Connection::new(Arc::clone(&context), identity, permit, stats_rx);
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
                match on_frame(connection, &mut limit, frame).await {
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

async fn on_frame(
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
        Message::Text(text) => on_text(connection, limit, text.as_str()).await,
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

async fn on_text(connection: &mut Connection, limit: &mut RateLimit, text: &str) -> Step {
    match limit.check(Instant::now()) {
        Verdict::Allow => match connection.accept(text).await {
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
