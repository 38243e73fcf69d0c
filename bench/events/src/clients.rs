//! WebSocket clients on loopback, with small buffers so that thousands fit
//! in the load generator itself.

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use anyhow::Context as _;
use futures_util::{SinkExt as _, StreamExt as _};
use tokio::sync::{Semaphore, mpsc};
use tokio_tungstenite::{
    MaybeTlsStream, WebSocketStream,
    tungstenite::{Message, client::IntoClientRequest as _, protocol::WebSocketConfig},
};

pub type Socket = WebSocketStream<MaybeTlsStream<tokio::net::TcpStream>>;

pub async fn connect(port: u16, session: &str) -> anyhow::Result<Socket> {
    let mut request = format!("ws://127.0.0.1:{port}/ws").into_client_request()?;
    request
        .headers_mut()
        .insert("x-tonearm-session", session.parse().context("session header")?);
    request
        .headers_mut()
        .insert("x-tonearm-internal-token", crate::services::TOKEN.parse()?);
    let config = WebSocketConfig::default()
        .read_buffer_size(4096)
        .write_buffer_size(0);
    let (mut socket, _) = tokio_tungstenite::connect_async_with_config(request, Some(config), true)
        .await
        .context("opening a socket")?;
    // The hello.
    next_text(&mut socket).await?;
    Ok(socket)
}

pub async fn next_text(socket: &mut Socket) -> anyhow::Result<serde_json::Value> {
    loop {
        match socket.next().await.context("socket closed")?? {
            Message::Text(text) => return Ok(serde_json::from_str(&text)?),
            Message::Close(frame) => anyhow::bail!("closed: {frame:?}"),
            _ => continue,
        }
    }
}

/// `clients` sockets each send a play and `per_client` seeks as fast as
/// they can, then close, reading what the server sends meanwhile (so that
/// neither side's buffers fill up). Returns the events the server refused.
pub async fn blast(port: u16, clients: usize, per_client: usize, song: &str) -> anyhow::Result<u64> {
    let mut tasks = Vec::new();
    for client in 0..clients {
        let song = song.to_owned();
        tasks.push(tokio::spawn(async move {
            let socket = connect(port, &format!("blast-{client}")).await?;
            let (mut sink, mut stream) = socket.split();
            let reader = tokio::spawn(async move {
                let mut refused = 0u64;
                while let Some(Ok(message)) = stream.next().await {
                    if let Message::Text(text) = message
                        && text.contains(r#""type":"error""#)
                    {
                        refused += 1;
                    }
                }
                refused
            });
            let play = serde_json::json!({"type": "play", "song": song}).to_string();
            sink.feed(Message::text(play)).await?;
            for position in 0..per_client {
                let seek = format!(r#"{{"type":"seek","position_ms":{position}}}"#);
                sink.feed(Message::text(seek)).await?;
                if position % 64 == 63 {
                    sink.flush().await?;
                }
            }
            sink.close().await?;
            anyhow::Ok(reader.await?)
        }));
    }
    let mut refused = 0;
    for task in tasks {
        refused += task.await??;
    }
    Ok(refused)
}

/// Idle sockets that report how long each message of interest took.
pub struct Crowd {
    pub sockets: usize,
    pub latencies: mpsc::UnboundedReceiver<Duration>,
    pub origin: Instant,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

/// `count` idle sockets; each reports the delay of every announcement whose
/// text is its send time (µs since `origin`).
pub async fn crowd(port: u16, count: usize) -> anyhow::Result<Crowd> {
    let origin = Instant::now();
    let (tx, latencies) = mpsc::unbounded_channel();
    let gate = Arc::new(Semaphore::new(256));
    let mut opening = Vec::new();
    for n in 0..count {
        let gate = Arc::clone(&gate);
        opening.push(tokio::spawn(async move {
            let _permit = gate.acquire().await?;
            connect(port, &format!("crowd-{n}-{}", uuid::Uuid::new_v4().simple())).await
        }));
    }
    let mut tasks = Vec::new();
    for opened in opening {
        let mut socket = opened.await??;
        let tx = tx.clone();
        tasks.push(tokio::spawn(async move {
            while let Some(Ok(message)) = socket.next().await {
                let Message::Text(text) = message else { continue };
                let Ok(value) = serde_json::from_str::<serde_json::Value>(&text) else {
                    continue;
                };
                if value["type"] == "announcement"
                    && let Some(sent) = value["text"].as_str().and_then(|t| t.parse::<u64>().ok())
                {
                    let now = origin.elapsed().as_micros() as u64;
                    let _ = tx.send(Duration::from_micros(now.saturating_sub(sent)));
                }
            }
        }));
    }
    Ok(Crowd {
        sockets: count,
        latencies,
        origin,
        tasks,
    })
}

impl Crowd {
    pub fn close(self) {
        for task in self.tasks {
            task.abort();
        }
    }
}

/// Sockets playing `song` that report when they first see `want` plays.
pub async fn listeners(port: u16, count: usize, song: &str) -> anyhow::Result<(Vec<Socket>, Instant)> {
    let gate = Arc::new(Semaphore::new(256));
    let mut opening = Vec::new();
    for n in 0..count {
        let gate = Arc::clone(&gate);
        let song = song.to_owned();
        opening.push(tokio::spawn(async move {
            let _permit = gate.acquire().await?;
            let mut socket =
                connect(port, &format!("listener-{n}-{}", uuid::Uuid::new_v4().simple())).await?;
            let play = serde_json::json!({"type": "play", "song": song}).to_string();
            socket.send(Message::text(play)).await?;
            anyhow::Ok(socket)
        }));
    }
    let mut sockets = Vec::new();
    for opened in opening {
        sockets.push(opened.await??);
    }
    Ok((sockets, Instant::now()))
}

/// Waits on every socket for stats with `plays >= want`; returns each
/// socket's delay after `since`.
pub async fn await_plays(sockets: Vec<Socket>, want: u64, since: Instant) -> anyhow::Result<Vec<Duration>> {
    let mut tasks = Vec::new();
    for mut socket in sockets {
        tasks.push(tokio::spawn(async move {
            loop {
                let value = next_text(&mut socket).await?;
                if value["type"] == "stats" && value["plays"].as_u64().is_some_and(|plays| plays >= want) {
                    return anyhow::Ok(since.elapsed());
                }
            }
        }));
    }
    let mut delays = Vec::new();
    for task in tasks {
        delays.push(tokio::time::timeout(Duration::from_secs(30), task).await???);
    }
    Ok(delays)
}
