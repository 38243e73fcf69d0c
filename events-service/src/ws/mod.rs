//! The players' WebSocket endpoint, `GET /ws`, on a listener of its own
//! (`TONEARM_EVENTS_WS_PORT`) rather than on the HTTP API's port: a socket
//! that stays open for hours then costs its small tungstenite buffers and
//! one task, not an HTTP/1 dispatcher's fixed 16 KiB.

mod handshake;
mod limits;
mod listener;
mod session;

use prometheus::IntGauge;

pub use listener::WsListener;

use crate::{hub::Hub, publisher::Publisher, settings::EventsSettings};

/// What every socket needs.
pub struct WsContext {
    pub publisher: Publisher,
    pub hub: Hub,
    pub settings: EventsSettings,
    pub instance: String,
    pub connections: IntGauge,
    /// Identity headers are refused without it (see `common::identity`).
    pub token: common::identity::InternalToken,
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
