//! A tiny HTTP/1.1 server on 127.0.0.1 that answers each request with a
//! scripted behaviour, and records what it was asked.

use std::{
    sync::{Arc, Mutex},
    time::Duration,
};

use tokio::{
    io::{AsyncReadExt as _, AsyncWriteExt as _},
    net::{TcpListener, TcpStream},
};

/// A request as the fixture saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
}

impl Seen {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }
}

/// What to answer.
pub type Behaviour = Arc<dyn Fn(&Seen) -> Reply + Send + Sync>;

/// A scripted answer.
pub enum Reply {
    /// Head (status line and headers, CRLF-joined) then body, all at once.
    Full { head: String, body: Vec<u8> },
    /// Head promising more body than is sent, then the connection closes.
    CutOff { head: String, body: Vec<u8> },
    /// Nothing at all for this long.
    Silent(Duration),
    /// Head and the start of the body, then a pause of this long.
    Stall {
        head: String,
        body: Vec<u8>,
        pause: Duration,
    },
}

/// A running fixture server.
pub struct Fixture {
    pub base: String,
    pub seen: Arc<Mutex<Vec<Seen>>>,
}

impl Fixture {
    pub async fn start(behaviour: Behaviour) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("binds");
        let base = format!("http://127.0.0.1:{}", listener.local_addr().expect("addr").port());
        let seen = Arc::new(Mutex::new(Vec::new()));
        let recorded = Arc::clone(&seen);
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                let (behaviour, recorded) = (Arc::clone(&behaviour), Arc::clone(&recorded));
                tokio::spawn(serve(socket, behaviour, recorded));
            }
        });
        Self { base, seen }
    }

    pub fn requests(&self) -> Vec<Seen> {
        self.seen.lock().expect("lock").clone()
    }
}

async fn serve(mut socket: TcpStream, behaviour: Behaviour, recorded: Arc<Mutex<Vec<Seen>>>) {
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 4096];
    while !buffer.windows(4).any(|window| window == b"\r\n\r\n") {
        match socket.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(read) => buffer.extend_from_slice(&chunk[..read]),
        }
    }
    let text = String::from_utf8_lossy(&buffer).to_string();
    let mut lines = text.split("\r\n");
    let mut first = lines.next().unwrap_or_default().split(' ');
    let seen = Seen {
        method: first.next().unwrap_or_default().to_owned(),
        path: first.next().unwrap_or_default().to_owned(),
        headers: lines
            .take_while(|line| !line.is_empty())
            .filter_map(|line| line.split_once(':'))
            .map(|(name, value)| (name.trim().to_owned(), value.trim().to_owned()))
            .collect(),
    };
    recorded.lock().expect("lock").push(seen.clone());
    match behaviour(&seen) {
        Reply::Full { head, body } | Reply::CutOff { head, body } => {
            let _ = socket
                .write_all(format!("{head}\r\nconnection: close\r\n\r\n").as_bytes())
                .await;
            let _ = socket.write_all(&body).await;
            let _ = socket.shutdown().await;
        }
        Reply::Silent(duration) => tokio::time::sleep(duration).await,
        Reply::Stall { head, body, pause } => {
            let _ = socket
                .write_all(format!("{head}\r\nconnection: close\r\n\r\n").as_bytes())
                .await;
            let _ = socket.write_all(&body).await;
            tokio::time::sleep(pause).await;
        }
    }
}
