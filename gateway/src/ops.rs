//! The operators' listener (`TONEARM_GATEWAY_OPS_HOST`, loopback by
//! default, and `TONEARM_GATEWAY_OPS_PORT`): `/metrics` and the detailed
//! `/readyz`, which name every upstream instance, PostgreSQL and Redis and
//! their errors. The public port answers `/readyz` with the status alone
//! and has no `/metrics`.

use std::net::TcpListener;

use actix_web::{App, HttpServer, dev::Server, web};
use anyhow::Context as _;
use common::{health, health::Readiness, http, metrics, metrics::Metrics};

/// Starts the listener (one worker: it serves scrapes and probes only).
pub fn start(
    listener: TcpListener,
    metrics: Metrics,
    readiness: Readiness,
    shutdown_timeout: std::time::Duration,
) -> anyhow::Result<Server> {
    let metrics = web::Data::new(metrics);
    let readiness = web::Data::new(readiness);
    let server = HttpServer::new(move || {
        App::new()
            .app_data(metrics.clone())
            .app_data(readiness.clone())
            .route("/healthz", web::get().to(health::healthz))
            .route("/readyz", web::get().to(health::readyz))
            .route("/metrics", web::get().to(metrics::handler))
            .default_service(web::to(http::not_found))
    })
    .workers(1)
    .shutdown_timeout(shutdown_timeout.as_secs())
    .listen(listener)
    .context("listening on the ops port")?
    .run();
    Ok(server)
}
