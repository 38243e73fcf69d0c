//! The players' WebSocket endpoint, `GET /ws`, on a listener of its own
//! (`TONEARM_EVENTS_WS_PORT`) rather than on the HTTP API's port: a socket
//! that stays open for hours then costs its small tungstenite buffers and
//! one task, not an HTTP/1 dispatcher's fixed 16 KiB.

mod caps;
mod connection;
mod handshake;
mod limits;
mod listener;
mod outgoing;
mod session;

use std::sync::Arc;

use prometheus::IntGauge;

pub use caps::SocketCaps;
pub use handshake::Gate;
pub use listener::WsListener;

use crate::{hub::Hub, publisher::Publisher, settings::EventsSettings, songs::SongCheck};

/// What every socket needs.
pub struct WsContext {
    pub publisher: Publisher,
    pub hub: Hub,
    pub settings: EventsSettings,
    pub instance: String,
    pub connections: IntGauge,
    /// What an upgrade must pass: token, origin, caps.
    pub gate: Gate,
    /// Whether the catalog knows the songs events name.
    pub songs: Arc<SongCheck>,
    /// Turns true when the service begins to stop: the listener stops
    /// accepting and sockets close with 1012.
    pub closing: tokio::sync::watch::Receiver<bool>,
}

/// Who is at the other end of a socket.
#[derive(Debug, Clone)]
pub struct Identity {
    pub session: String,
    pub user: Option<String>,
    pub request_id: Option<String>,
}
