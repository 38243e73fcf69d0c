//! The HTTP client of the relay: hyper's pooled client, driven directly.
//!
//! reqwest (still used for the gateway's own requests: API documents,
//! readiness) costs a relayed request about 30,000 instructions of its
//! own: its redirect layer parses the request's URL again even with
//! redirects off, its response future parses it once more, and it clones
//! the header map. Here a request is a `hyper::Request` whose URI is built
//! from the instance's parsed scheme and authority and the client's path.

use std::{
    cell::RefCell,
    collections::HashMap,
    convert::Infallible,
    sync::atomic::{AtomicUsize, Ordering},
    time::Duration,
};

use actix_web::web::Bytes;
use anyhow::Context as _;
use http_body_util::{BodyExt as _, Empty, combinators::UnsyncBoxBody};
use hyper::body::Incoming;
use hyper_rustls::{HttpsConnector, HttpsConnectorBuilder};
use hyper_util::{
    client::legacy::{Client, connect::HttpConnector},
    rt::{TokioExecutor, TokioTimer},
};

/// The body of an upstream request: empty, or the client's body streamed.
pub type UpstreamBody = UnsyncBoxBody<Bytes, std::io::Error>;

/// An upstream answer; its body streams as it arrives.
pub type UpstreamResponse = hyper::Response<Incoming>;

/// The pooled client (cheap to clone: the pool is shared).
pub type UpstreamClient = Client<HttpsConnector<HttpConnector>, UpstreamBody>;

/// How long an upstream connection may sit idle in the pool before it is
/// dropped rather than reused: under the services' own keep-alive timeout
/// (actix-web's default, 5 s), so the gateway never picks a connection the
/// service is closing at that very moment (the request would fail with a
/// reset instead of being answered).
const POOL_IDLE_TIMEOUT: Duration = Duration::from_secs(4);

/// Idle connections kept per upstream instance: as many as the concurrent
/// requests a busy gateway sends it, so bursts reuse connections instead of
/// opening new ones (each a handshake, and a socket left in TIME_WAIT).
const POOL_MAX_IDLE_PER_INSTANCE: usize = 256;

/// The client for relayed requests: `http://` and `https://` instances
/// (TLS with the Mozilla roots), HTTP/1.1, no redirects followed; only the
/// connection attempt has a fixed bound, per-route limits are applied per
/// request.
pub fn client(connect_timeout: Duration) -> anyhow::Result<UpstreamClient> {
    let mut http = HttpConnector::new();
    // `https://` URLs go through this connector too (TLS wraps it).
    http.enforce_http(false);
    http.set_connect_timeout(Some(connect_timeout));
    // Answer heads and bodies are written separately; see `common::server`.
    http.set_nodelay(true);
    let https = HttpsConnectorBuilder::new()
        .with_provider_and_webpki_roots(rustls::crypto::ring::default_provider())
        .context("setting up TLS for upstream instances")?
        .https_or_http()
        .enable_http1()
        .wrap_connector(http);
    Ok(Client::builder(TokioExecutor::new())
        .pool_idle_timeout(POOL_IDLE_TIMEOUT)
        .pool_max_idle_per_host(POOL_MAX_IDLE_PER_INSTANCE)
        .pool_timer(TokioTimer::new())
        .build(https))
}

/// The relay's clients, one per worker thread. A pooled connection is
/// driven by a task on the worker that opened it, so a request another
/// worker sent over it woke that worker for every read and write (an
/// `eventfd` write and a context switch per relayed request, seen under a
/// range load); with a pool per worker, a request's connection is served
/// where the request is.
pub struct Clients {
    /// Tells this gateway's clients apart from another's in the same
    /// process (tests run several).
    id: usize,
    connect_timeout: Duration,
    /// Built at start, so the settings are known to work; used by a thread
    /// whose own client could not be built.
    shared: UpstreamClient,
}

thread_local! {
    static WORKER_CLIENTS: RefCell<HashMap<usize, UpstreamClient>> = RefCell::new(HashMap::new());
}

impl Clients {
    pub fn new(connect_timeout: Duration) -> anyhow::Result<Self> {
        static NEXT_ID: AtomicUsize = AtomicUsize::new(0);
        Ok(Self {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            connect_timeout,
            shared: client(connect_timeout)?,
        })
    }

    /// The calling thread's client (cheap to clone: its pool is shared).
    pub fn here(&self) -> UpstreamClient {
        WORKER_CLIENTS.with(|clients| {
            clients
                .borrow_mut()
                .entry(self.id)
                .or_insert_with(|| client(self.connect_timeout).unwrap_or_else(|_| self.shared.clone()))
                .clone()
        })
    }
}

/// An empty request body.
pub fn empty() -> UpstreamBody {
    Empty::<Bytes>::new()
        .map_err(|never: Infallible| match never {})
        .boxed_unsync()
}

/// A request body held in memory.
pub fn full(body: Vec<u8>) -> UpstreamBody {
    http_body_util::Full::new(Bytes::from(body))
        .map_err(|never: Infallible| match never {})
        .boxed_unsync()
}

/// The whole body of an upstream answer, at most `limit` bytes.
pub async fn collect(response: UpstreamResponse, limit: usize) -> anyhow::Result<Bytes> {
    let body = http_body_util::Limited::new(response.into_body(), limit);
    let collected = body
        .collect()
        .await
        .map_err(|error| anyhow::anyhow!("reading an upstream answer: {error}"))?;
    Ok(collected.to_bytes())
}
