//! The HTTP server every service runs, and the `main` they share.

use std::{future::Future, net::TcpListener, process::ExitCode, time::Duration};

use actix_web::{App, HttpServer, dev::ServerHandle, middleware::from_fn, web};
use anyhow::Context as _;

use crate::{Settings, health::Readiness, http, identity, metrics, metrics::Metrics, request_id, telemetry};

/// Binds `host:port`; port 0 picks a free port (tests).
pub fn bind(host: &str, port: u16) -> anyhow::Result<TcpListener> {
    TcpListener::bind((host, port)).with_context(|| format!("binding {host}:{port}"))
}

/// A running actix server with the common middleware and probe routes
/// mounted around the service's own routes.
pub struct HttpService {
    port: u16,
    server: actix_web::dev::Server,
}

/// What differs between the edge (the gateway) and the services behind it.
struct Edge {
    token: identity::InternalToken,
    head_timeout: Option<Duration>,
}

impl HttpService {
    /// Starts serving on `listener`. `routes` adds the service's own routes
    /// and app data; it runs once per worker. Identity headers are checked
    /// against `TONEARM_INTERNAL_TOKEN` (see [`identity`]).
    pub fn start<F>(
        listener: TcpListener,
        settings: &Settings,
        metrics: Metrics,
        readiness: Readiness,
        routes: F,
    ) -> anyhow::Result<Self>
    where
        F: Fn(&mut web::ServiceConfig) + Send + Clone + 'static,
    {
        let edge = Edge {
            token: identity::InternalToken::new(settings.internal_token.clone()),
            head_timeout: None,
        };
        Self::start_with(listener, settings, metrics, readiness, edge, routes)
    }

    /// For the gateway, the edge: clients' identity headers are not refused
    /// here (the gateway strips them and sets its own), and a client gets
    /// `head_timeout` to send its request head (a bound on slow-header
    /// attacks).
    pub fn start_edge<F>(
        listener: TcpListener,
        settings: &Settings,
        metrics: Metrics,
        readiness: Readiness,
        head_timeout: Duration,
        routes: F,
    ) -> anyhow::Result<Self>
    where
        F: Fn(&mut web::ServiceConfig) + Send + Clone + 'static,
    {
        let edge = Edge {
            token: identity::InternalToken::new(None),
            head_timeout: Some(head_timeout),
        };
        Self::start_with(listener, settings, metrics, readiness, edge, routes)
    }

    fn start_with<F>(
        listener: TcpListener,
        settings: &Settings,
        metrics: Metrics,
        readiness: Readiness,
        edge: Edge,
        routes: F,
    ) -> anyhow::Result<Self>
    where
        F: Fn(&mut web::ServiceConfig) + Send + Clone + 'static,
    {
        let port = listener.local_addr().context("reading the bound address")?.port();
        let metrics = web::Data::new(metrics);
        let readiness = web::Data::new(readiness);
        let internal_token = web::Data::new(edge.token);
        let mut server = HttpServer::new(move || {
            App::new()
                .wrap(from_fn(identity::middleware))
                .wrap(from_fn(metrics::middleware))
                .wrap(from_fn(request_id::middleware))
                .app_data(metrics.clone())
                .app_data(readiness.clone())
                .app_data(internal_token.clone())
                .configure(http::configure_common)
                .configure(routes.clone())
                .default_service(web::to(http::not_found))
        })
        // Answer heads and bodies are often written separately; without this,
        // Nagle's algorithm meets the client's delayed ACK and adds 40 ms.
        .tcp_nodelay(true)
        .shutdown_timeout(settings.shutdown_timeout.as_secs());
        if let Some(head_timeout) = edge.head_timeout {
            server = server
                .client_request_timeout(head_timeout)
                .client_disconnect_timeout(Duration::from_secs(1));
        }
        let server = server.listen(listener).context("listening")?.run();
        Ok(Self { port, server })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Stops the server from elsewhere (tests); signals also stop it.
    pub fn handle(&self) -> ServerHandle {
        self.server.handle()
    }

    /// Serves until SIGTERM or Ctrl-C (or [`ServerHandle::stop`]); in-flight
    /// requests finish first, within the shutdown timeout.
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        self.server.await.context("running the HTTP server")
    }
}

/// The body of every service's `main`: load and validate settings (a bad
/// one stops the process with one line naming it, exit code 2), set up
/// logging, then run the service until it is stopped.
pub async fn run_main<F, Fut>(service: &str, run: F) -> ExitCode
where
    F: FnOnce(Settings) -> Fut,
    Fut: Future<Output = anyhow::Result<()>>,
{
    let settings = match Settings::load() {
        Ok(settings) => settings,
        Err(error) => {
            eprintln!("{service}: {error}");
            return ExitCode::from(2);
        }
    };
    telemetry::init(&settings);
    tracing::info!(service, instance = %settings.instance_id, "starting");
    match run(settings).await {
        Ok(()) => {
            tracing::info!(service, "stopped");
            ExitCode::SUCCESS
        }
        Err(error) => {
            tracing::error!(service, error = format!("{error:#}"), "failed");
            eprintln!("{service}: {error:#}");
            ExitCode::FAILURE
        }
    }
}
