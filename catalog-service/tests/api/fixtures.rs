//! A tiny HTTP server on 127.0.0.1 serving canned answers, with ETag
//! support and a log of the requests it saw.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpListener,
};

/// One canned answer.
#[derive(Debug, Clone)]
pub struct Route {
    pub status: u16,
    pub content_type: String,
    pub body: Vec<u8>,
    pub etag: Option<String>,
    pub location: Option<String>,
}

impl Route {
    pub fn ok(content_type: &str, body: impl Into<Vec<u8>>) -> Self {
        Self {
            status: 200,
            content_type: content_type.into(),
            body: body.into(),
            etag: None,
            location: None,
        }
    }

    pub fn with_etag(mut self, etag: &str) -> Self {
        self.etag = Some(etag.into());
        self
    }

    pub fn redirect(location: &str) -> Self {
        Self {
            status: 302,
            content_type: "text/plain".into(),
            body: Vec::new(),
            etag: None,
            location: Some(location.into()),
        }
    }
}

/// A request the server saw: path and lower-case headers.
#[derive(Debug, Clone)]
pub struct Seen {
    pub path: String,
    pub headers: HashMap<String, String>,
}

#[derive(Clone)]
pub struct FixtureServer {
    pub port: u16,
    routes: Arc<Mutex<HashMap<String, Route>>>,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl FixtureServer {
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let server = Self {
            port: listener.local_addr().expect("addr").port(),
            routes: Arc::default(),
            seen: Arc::default(),
        };
        let shared = server.clone();
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                let server = shared.clone();
                tokio::spawn(async move { server.answer(socket).await });
            }
        });
        server
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// The allow-list entry of this server.
    pub fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    pub fn set(&self, path: &str, route: Route) {
        self.routes.lock().expect("routes").insert(path.into(), route);
    }

    pub fn seen(&self, path: &str) -> Vec<Seen> {
        self.seen
            .lock()
            .expect("seen")
            .iter()
            .filter(|s| s.path == path)
            .cloned()
            .collect()
    }

    /// The route of `path`: by exact path and query, else the first route
    /// whose path matches and whose query pairs are all in the request.
    fn route_for(&self, path: &str) -> Option<Route> {
        let routes = self.routes.lock().expect("routes");
        if let Some(route) = routes.get(path) {
            return Some(route.clone());
        }
        let (request_path, request_pairs) = split(path);
        routes
            .iter()
            .find(|(key, _)| {
                let (route_path, route_pairs) = split(key);
                route_path == request_path && route_pairs.iter().all(|pair| request_pairs.contains(pair))
            })
            .map(|(_, route)| route.clone())
    }

    /// How many requests named `method` (a Last.fm call).
    pub fn count_query(&self, pair: (&str, &str)) -> usize {
        let pair = (pair.0.to_owned(), pair.1.to_owned());
        self.seen
            .lock()
            .expect("seen")
            .iter()
            .filter(|seen| split(&seen.path).1.contains(&pair))
            .count()
    }

    async fn answer(&self, mut socket: tokio::net::TcpStream) {
        let mut buffer = Vec::new();
        let mut chunk = [0u8; 4096];
        while !buffer.windows(4).any(|w| w == b"\r\n\r\n") {
            match socket.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buffer.extend_from_slice(&chunk[..n]),
            }
        }
        let text = String::from_utf8_lossy(&buffer).to_string();
        let mut lines = text.split("\r\n");
        let path = lines
            .next()
            .and_then(|line| line.split_whitespace().nth(1))
            .unwrap_or("/")
            .to_owned();
        let headers: HashMap<String, String> = lines
            .filter_map(|line| line.split_once(':'))
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
            .collect();
        self.seen.lock().expect("seen").push(Seen {
            path: path.clone(),
            headers: headers.clone(),
        });
        let route = self.route_for(&path);
        let response = match route {
            None => head(404, "text/plain", 0, None, None),
            Some(route) if route.etag.is_some() && headers.get("if-none-match") == route.etag.as_ref() => {
                head(304, &route.content_type, 0, route.etag.as_deref(), None)
            }
            Some(route) if route.status == 200 && headers.contains_key("range") => {
                ranged(&route, &headers["range"])
            }
            Some(route) => {
                let mut bytes = head(
                    route.status,
                    &route.content_type,
                    route.body.len(),
                    route.etag.as_deref(),
                    route.location.as_deref(),
                );
                bytes.extend_from_slice(&route.body);
                bytes
            }
        };
        let _ = socket.write_all(&response).await;
    }
}

/// A 206 answer to `bytes=first-last` (the only form the catalog sends).
fn ranged(route: &Route, range: &str) -> Vec<u8> {
    let (first, last) = range
        .trim_start_matches("bytes=")
        .split_once('-')
        .expect("a bytes=first-last range");
    let first: usize = first.parse().expect("first byte");
    let last = last
        .parse::<usize>()
        .expect("last byte")
        .min(route.body.len() - 1);
    let body = &route.body[first..=last];
    let mut bytes = head(206, &route.content_type, body.len(), route.etag.as_deref(), None);
    let end = bytes.len() - 2;
    let content_range = format!("content-range: bytes {first}-{last}/{}\r\n", route.body.len());
    bytes.splice(end..end, content_range.into_bytes());
    bytes.extend_from_slice(body);
    bytes
}

fn head(
    status: u16,
    content_type: &str,
    length: usize,
    etag: Option<&str>,
    location: Option<&str>,
) -> Vec<u8> {
    let mut text = format!(
        "HTTP/1.1 {status} X\r\ncontent-type: {content_type}\r\ncontent-length: {length}\r\nconnection: close\r\n"
    );
    if let Some(etag) = etag {
        text.push_str(&format!("etag: {etag}\r\n"));
    }
    if let Some(location) = location {
        text.push_str(&format!("location: {location}\r\n"));
    }
    text.push_str("\r\n");
    text.into_bytes()
}

/// Path and decoded query pairs of a request target.
fn split(target: &str) -> (String, Vec<(String, String)>) {
    let url = url::Url::parse(&format!("http://fixture{target}")).expect("a request target");
    let pairs = url
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    (url.path().to_owned(), pairs)
}
