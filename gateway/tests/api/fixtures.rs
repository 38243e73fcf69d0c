//! A small stand-in for the services: echoes what it received, streams
//! large bodies slowly, answers late, speaks WebSocket.

use std::{
    net::TcpListener,
    sync::{
        Arc, Mutex,
        atomic::{AtomicUsize, Ordering},
    },
    time::Duration,
};

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use futures_util::StreamExt as _;

/// What the fixture saw, for assertions.
#[derive(Default)]
pub struct Seen {
    /// Streams whose body was dropped before the end (client went away).
    pub streams_dropped: AtomicUsize,
    /// Requests served, all routes.
    pub requests: AtomicUsize,
    /// Close codes the fixture's sockets received from their client.
    pub close_codes: Mutex<Vec<u16>>,
    /// The internal token of each socket upgrade.
    pub socket_tokens: Mutex<Vec<String>>,
}

/// A running fixture.
pub struct Upstream {
    pub url: String,
    pub seen: Arc<Seen>,
}

/// Starts the fixture on a free port.
pub fn spawn() -> Upstream {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    let port = listener.local_addr().expect("address").port();
    let seen = Arc::new(Seen::default());
    let data = web::Data::from(seen.clone());
    let server = HttpServer::new(move || {
        App::new()
            .app_data(data.clone())
            .route("/ws", web::get().to(socket))
            .route("/api/{service}/openapi.json", web::get().to(openapi))
            .route("/api/{service}/slow", web::get().to(slow))
            .route("/api/{service}/big", web::get().to(big))
            .route("/api/{service}/big", web::head().to(big))
            .route("/api/{service}/cached", web::get().to(cached))
            .route("/api/{service}/hop", web::get().to(hop))
            .route("/api/{service}/upload", web::post().to(upload))
            .default_service(web::to(echo))
    })
    .workers(1)
    .listen(listener)
    .expect("listen")
    .run();
    tokio::spawn(server);
    Upstream {
        url: format!("http://127.0.0.1:{port}"),
        seen,
    }
}

async fn echo(req: HttpRequest, body: web::Bytes, seen: web::Data<Seen>) -> HttpResponse {
    seen.requests.fetch_add(1, Ordering::SeqCst);
    let headers: serde_json::Map<String, serde_json::Value> = req
        .headers()
        .iter()
        .map(|(name, value)| (name.to_string(), value.to_str().unwrap_or("?").into()))
        .collect();
    HttpResponse::Ok().json(serde_json::json!({
        "method": req.method().as_str(),
        "path": req.uri().to_string(),
        "headers": headers,
        "body_len": body.len(),
    }))
}

async fn openapi(path: web::Path<String>) -> HttpResponse {
    let service = path.into_inner();
    HttpResponse::Ok().json(serde_json::json!({
        "openapi": "3.1.0",
        "info": {"title": service, "version": "1"},
        "paths": {format!("/api/{service}/things"): {"get": {"tags": [service], "responses": {"200": {"description": "ok"}}}}},
        "components": {"schemas": {format!("{service}Thing"): {"type": "object"}}}
    }))
}

#[derive(serde::Deserialize)]
struct SlowQuery {
    ms: u64,
}

async fn slow(query: web::Query<SlowQuery>) -> HttpResponse {
    tokio::time::sleep(Duration::from_millis(query.ms)).await;
    HttpResponse::Ok().body("late")
}

#[derive(serde::Deserialize)]
struct BigQuery {
    size: usize,
    #[serde(default)]
    delay_ms: u64,
}

/// Counts a stream as dropped when it is dropped before its last chunk.
struct DropGuard {
    seen: Arc<Seen>,
    finished: bool,
}

impl DropGuard {
    fn finish(&mut self) {
        self.finished = true;
    }
}

impl Drop for DropGuard {
    fn drop(&mut self) {
        if !self.finished {
            self.seen.streams_dropped.fetch_add(1, Ordering::SeqCst);
        }
    }
}

/// `size` bytes of a repeating pattern in 64 KiB chunks, `delay_ms` apart;
/// honours `Range: bytes=a-b` with 206 so pass-through can be checked.
async fn big(req: HttpRequest, query: web::Query<BigQuery>, seen: web::Data<Seen>) -> HttpResponse {
    let (size, delay) = (query.size, Duration::from_millis(query.delay_ms));
    let range = req
        .headers()
        .get("range")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("bytes="))
        .and_then(|v| v.split_once('-'))
        .and_then(|(a, b)| Some((a.parse::<usize>().ok()?, b.parse::<usize>().ok()?)));
    let (start, end) = range.unwrap_or((0, size - 1));
    let total = end - start + 1;
    let mut guard = DropGuard {
        seen: seen.into_inner(),
        finished: false,
    };
    let stream = async_stream(start, total, delay, move |done| {
        if done {
            guard.finish();
        }
    });
    let mut response = if range.is_some() {
        let mut builder = HttpResponse::PartialContent();
        builder.insert_header(("content-range", format!("bytes {start}-{end}/{size}")));
        builder
    } else {
        HttpResponse::Ok()
    };
    response
        .insert_header(("accept-ranges", "bytes"))
        .insert_header(("content-type", "audio/mpeg"))
        .body(actix_web::body::SizedStream::new(total as u64, stream))
}

fn async_stream(
    start: usize,
    total: usize,
    delay: Duration,
    mut on_end: impl FnMut(bool) + 'static,
) -> impl futures_util::Stream<Item = Result<web::Bytes, std::io::Error>> {
    futures_util::stream::unfold((start, 0_usize), move |(offset, sent)| {
        let remaining = total - sent;
        if remaining == 0 {
            on_end(true);
            return futures_util::future::Either::Left(futures_util::future::ready(None));
        }
        let n = remaining.min(64 * 1024);
        let chunk: Vec<u8> = (offset..offset + n).map(|i| (i % 251) as u8).collect();
        futures_util::future::Either::Right(async move {
            if !delay.is_zero() {
                tokio::time::sleep(delay).await;
            }
            Some((Ok(web::Bytes::from(chunk)), (offset + n, sent + n)))
        })
    })
}

/// Conditional requests: 304 for a matching `If-None-Match`.
async fn cached(req: HttpRequest) -> HttpResponse {
    let etag = "\"v1\"";
    if req.headers().get("if-none-match").and_then(|v| v.to_str().ok()) == Some(etag) {
        return HttpResponse::NotModified().insert_header(("etag", etag)).finish();
    }
    HttpResponse::Ok()
        .insert_header(("etag", etag))
        .insert_header(("cache-control", "private, max-age=60"))
        .insert_header(("last-modified", "Wed, 21 Oct 2015 07:28:00 GMT"))
        .body("fresh")
}

/// A response carrying hop-by-hop headers that must not reach the client.
async fn hop() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(("keep-alive", "timeout=99"))
        .insert_header(("proxy-connection", "keep-alive"))
        .insert_header(("proxy-authenticate", "Basic"))
        .insert_header(("x-kept", "yes"))
        .body("hop")
}

async fn upload(mut payload: web::Payload) -> HttpResponse {
    let mut total = 0_usize;
    while let Some(chunk) = payload.next().await {
        match chunk {
            Ok(bytes) => total += bytes.len(),
            Err(_) => return HttpResponse::BadRequest().finish(),
        }
    }
    HttpResponse::Ok().json(serde_json::json!({ "received": total }))
}

/// Echoes text and binary; `close:<code>` closes with that code; records
/// the code of a close the client starts.
async fn socket(
    req: HttpRequest,
    body: web::Payload,
    seen: web::Data<Seen>,
) -> actix_web::Result<HttpResponse> {
    let token = req
        .headers()
        .get("x-tonearm-internal-token")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    if token != crate::helpers::INTERNAL_TOKEN {
        return Ok(HttpResponse::Unauthorized().finish());
    }
    seen.socket_tokens.lock().expect("lock").push(token);
    let (response, mut session, mut messages) = actix_ws::handle(&req, body)?;
    let who = req
        .headers()
        .get("x-tonearm-role")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("none")
        .to_owned();
    actix_web::rt::spawn(async move {
        let _ = session.text(format!("hello {who}")).await;
        while let Some(Ok(message)) = messages.next().await {
            match message {
                actix_ws::Message::Text(text) => {
                    if let Some(code) = text.strip_prefix("close:") {
                        let code: u16 = code.parse().unwrap_or(1000);
                        let reason = actix_ws::CloseReason {
                            code: code.into(),
                            description: Some("bye".into()),
                        };
                        let _ = session.close(Some(reason)).await;
                        return;
                    }
                    let _ = session.text(text).await;
                }
                actix_ws::Message::Binary(bytes) => {
                    let _ = session.binary(bytes).await;
                }
                actix_ws::Message::Close(reason) => {
                    let code = reason.as_ref().map_or(1005, |r| u16::from(r.code));
                    seen.close_codes.lock().expect("lock").push(code);
                    let _ = session.close(reason).await;
                    return;
                }
                _ => {}
            }
        }
    });
    Ok(response)
}
