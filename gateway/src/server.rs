//! The gateway's HTTP server: the common probes, metrics and error handlers
//! plus its own routes, with a bound on how long a client may take to send
//! its request head (slow-header attacks).
//!
//! It mirrors `common::server::HttpService`, with two differences: the
//! request-id middleware here does not keep a clone of the request across
//! the inner call (actix needs sole ownership of the request to route it),
//! and the slow-client timeouts are the gateway's settings.

use std::{net::TcpListener, time::Instant};

use actix_web::{
    App, Error, HttpMessage as _, HttpServer,
    body::MessageBody,
    dev::{Server, ServiceRequest, ServiceResponse},
    http::header::HeaderValue,
    middleware::{Next, from_fn},
    web,
};
use anyhow::Context as _;
use common::{
    Settings,
    health::Readiness,
    metrics::Metrics,
    request_id::{HEADER, RequestId},
};
use tracing::Instrument as _;

use crate::{routes, state::Gateway};

/// Starts serving on `listener`.
pub fn start(
    listener: TcpListener,
    settings: &Settings,
    metrics: Metrics,
    readiness: Readiness,
    gateway: web::Data<Gateway>,
) -> anyhow::Result<Server> {
    let metrics = web::Data::new(metrics);
    let readiness = web::Data::new(readiness);
    let head_timeout = gateway.settings.client_request_timeout;
    let server = HttpServer::new(move || {
        App::new()
            .wrap(from_fn(common::metrics::middleware))
            .wrap(from_fn(request_id))
            .app_data(metrics.clone())
            .app_data(readiness.clone())
            .configure(common::http::configure_common)
            .configure(|cfg| routes::configure(cfg, gateway.clone()))
    })
    // Answer heads and bodies are often written separately; without this,
    // Nagle's algorithm meets the client's delayed ACK and adds 40 ms.
    .tcp_nodelay(true)
    .client_request_timeout(head_timeout)
    .client_disconnect_timeout(std::time::Duration::from_secs(1))
    .shutdown_timeout(settings.shutdown_timeout.as_secs())
    .listen(listener)
    .context("listening")?
    .run();
    Ok(server)
}

fn is_well_formed(id: &str) -> bool {
    (1..=128).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
}

/// `x-request-id`: kept from the client when well formed, else generated;
/// echoed on the response and on every log line of the request.
async fn request_id(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let id = req
        .headers()
        .get(&HEADER)
        .and_then(|value| value.to_str().ok())
        .filter(|value| is_well_formed(value))
        .map_or_else(|| uuid::Uuid::now_v7().to_string(), str::to_owned);
    req.extensions_mut().insert(RequestId(id.clone()));
    let span = tracing::info_span!("request", request_id = %id);
    let (method, path) = (req.method().clone(), req.path().to_owned());
    let quiet = matches!(path.as_str(), "/healthz" | "/readyz" | "/metrics");
    let started = Instant::now();
    let mut response = next.call(req).instrument(span.clone()).await?;
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(HEADER, value);
    }
    let status = response.status().as_u16();
    let elapsed_ms = started.elapsed().as_secs_f64() * 1000.0;
    span.in_scope(|| {
        if quiet {
            tracing::debug!(%method, %path, status, elapsed_ms, "request served");
        } else {
            tracing::info!(%method, %path, status, elapsed_ms, "request served");
        }
    });
    Ok(response)
}
