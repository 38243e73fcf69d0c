//! The WebSocket port: accepts connections, gives each its own task, and
//! stops accepting when the service begins to stop.

use std::{
    net::{SocketAddr, ToSocketAddrs as _},
    sync::Arc,
    time::Duration,
};

use anyhow::Context as _;
use tokio::{
    net::{TcpSocket, TcpStream},
    task::JoinHandle,
};
use tokio_tungstenite::tungstenite::{
    handshake::server::{Request, Response},
    protocol::WebSocketConfig,
};

use super::{WsContext, handshake, session};

/// Connections waiting to be accepted (as actix's HTTP listener): a burst
/// of reconnecting players after a restart is not refused.
const BACKLOG: u32 = 2048;

/// Time a client has to complete the upgrade; a slower one (or one that
/// never sends a request) is disconnected.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// Bytes read from a socket at once. Players send messages of a few dozen
/// bytes; a larger frame (up to the frame limit) grows the buffer for that
/// frame only.
const READ_BUFFER: usize = 2048;

/// Unsent bytes a socket may hold (a client that does not read) before a
/// send fails and the socket is dropped.
const MAX_WRITE_BUFFER: usize = 256 * 1024;

/// The bound WebSocket listener, not yet serving.
pub struct WsListener {
    listener: tokio::net::TcpListener,
    port: u16,
}

impl WsListener {
    /// Binds `host:port`; port 0 picks a free port (tests).
    pub fn bind(host: &str, port: u16) -> anyhow::Result<Self> {
        let binding = || format!("binding {host}:{port}");
        let address = (host, port)
            .to_socket_addrs()
            .with_context(binding)?
            .next()
            .with_context(binding)?;
        let socket = if address.is_ipv4() {
            TcpSocket::new_v4()
        } else {
            TcpSocket::new_v6()
        }
        .with_context(binding)?;
        socket.set_reuseaddr(true).with_context(binding)?;
        socket.bind(address).with_context(binding)?;
        let listener = socket.listen(BACKLOG).with_context(binding)?;
        let port = listener.local_addr().context("reading the bound address")?.port();
        Ok(Self { listener, port })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Accepts sockets until `context.closing` turns true.
    pub fn serve(self, context: Arc<WsContext>) -> JoinHandle<()> {
        tokio::spawn(accept_loop(self.listener, context))
    }
}

async fn accept_loop(listener: tokio::net::TcpListener, context: Arc<WsContext>) {
    let mut closing = context.closing.clone();
    loop {
        let accepted = tokio::select! {
            _ = closing.wait_for(|closing| *closing) => return,
            accepted = listener.accept() => accepted,
        };
        match accepted {
            Ok((stream, peer)) => {
                // Messages are small and written whole: no reason to wait
                // for more (Nagle) before sending.
                let _ = stream.set_nodelay(true);
                tokio::spawn(connection(stream, peer, Arc::clone(&context)));
            }
            Err(error) => {
                // Out of file descriptors, typically: wait rather than spin.
                tracing::warn!(%error, "cannot accept a WebSocket connection");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }
}

/// Small buffers, since most sockets sit idle: the memory of 10,000 open
/// sockets is mostly these.
fn config(max_frame_bytes: usize) -> WebSocketConfig {
    WebSocketConfig::default()
        .read_buffer_size(READ_BUFFER)
        .write_buffer_size(0)
        .max_write_buffer_size(MAX_WRITE_BUFFER)
        .max_frame_size(Some(max_frame_bytes))
        .max_message_size(Some(max_frame_bytes))
}

/// The upgrade, bounded in time, then the session.
async fn connection(stream: TcpStream, peer: SocketAddr, context: Arc<WsContext>) {
    let mut admitted = None;
    #[allow(clippy::result_large_err)] // tungstenite's callback contract
    let callback = |request: &Request, response: Response| {
        handshake::accept(&context.gate, peer, request, response).map(|(response, caller)| {
            admitted = Some(caller);
            response
        })
    };
    let config = config(context.settings.max_frame_bytes);
    // Boxed so that the handshake's state does not stay in the task for
    // the socket's whole life.
    let upgrade = Box::pin(tokio_tungstenite::accept_hdr_async_with_config(
        stream,
        callback,
        Some(config),
    ));
    let socket = match tokio::time::timeout(HANDSHAKE_TIMEOUT, upgrade).await {
        Ok(Ok(socket)) => socket,
        Ok(Err(error)) => {
            tracing::debug!(%error, "WebSocket handshake failed");
            return;
        }
        Err(_) => {
            tracing::debug!("WebSocket handshake timed out");
            return;
        }
    };
    if let Some(admitted) = admitted {
        session::run(context, admitted, socket).await;
    }
}
