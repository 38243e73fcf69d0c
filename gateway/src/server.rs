//! The gateway's HTTP server: the common probes, metrics and error handlers
//! plus its own routes, with a bound on how long a client may take to send
//! its request head (slow-header attacks).
//!
//! It mirrors `common::server::HttpService::start_edge` (no identity-header
//! check: the gateway strips client identity headers itself), with the
//! slow-client bound from the gateway's settings and `TCP_NODELAY` on.

use std::net::TcpListener;

use actix_web::{App, HttpServer, dev::Server, middleware::from_fn, web};
use anyhow::Context as _;
use common::{Settings, health::Readiness, metrics::Metrics};

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
            .wrap(from_fn(common::request_id::middleware))
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
