//! The HTTP server every service runs, and the `main` they share.

use std::{future::Future, net::TcpListener, process::ExitCode, time::Duration};

use actix_web::{
    App, HttpServer,
    dev::ServerHandle,
    middleware::{Condition, DefaultHeaders, from_fn},
    web,
};
use anyhow::Context as _;

use crate::{
    Settings, cli, health::Readiness, http, identity, metrics, metrics::Metrics, request_id, telemetry,
};

pub use crate::listen::{bind, bind_service, is_loopback, refuse_open_bind_without_token};

/// A running actix server with the common middleware and probe routes
/// mounted around the service's own routes.
pub struct HttpService {
    port: u16,
    server: actix_web::dev::Server,
}

/// What differs between the edge (the gateway) and the services behind it.
struct Edge {
    /// `None` at the edge: no token is asked of clients.
    token: Option<identity::InternalToken>,
    head_timeout: Option<Duration>,
    /// The edge serves browsers: `X-Content-Type-Options: nosniff` and
    /// `X-Frame-Options: DENY` on every answer that has none, and public
    /// probes only (see [`http::configure_edge`]).
    public: bool,
}

impl HttpService {
    /// Starts serving on `listener`. `routes` adds the service's own routes
    /// and app data; it runs once per worker. Every request but the probes
    /// must carry `TONEARM_INTERNAL_TOKEN` when it is set (see [`identity`]).
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
            token: Some(identity::InternalToken::new(settings.internal_token.clone())),
            head_timeout: None,
            public: false,
        };
        Self::start_with(listener, settings, metrics, readiness, edge, routes)
    }

    /// For the gateway, the edge: clients carry no internal token and their
    /// identity headers are not refused here (the gateway strips them and
    /// sets its own), and a client gets
    /// `head_timeout` to send its request head (a bound on slow-header
    /// attacks). `/metrics` is not mounted and `/readyz` answers its status
    /// only: the gateway serves those in full on its operators' listener.
    /// Every answer says `nosniff` and may not be framed.
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
            token: None,
            head_timeout: Some(head_timeout),
            public: true,
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
        let internal_token = edge.token.map(web::Data::new);
        let public = edge.public;
        let mut server = HttpServer::new(move || {
            App::new()
                .wrap(from_fn(identity::middleware))
                .wrap(Condition::new(public, browser_headers()))
                .wrap(from_fn(metrics::middleware))
                .wrap(from_fn(request_id::middleware))
                .app_data(metrics.clone())
                .app_data(readiness.clone())
                .configure(|cfg| {
                    if let Some(token) = &internal_token {
                        cfg.app_data(token.clone());
                    }
                })
                .configure(if public {
                    http::configure_edge
                } else {
                    http::configure_common
                })
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

/// Headers every answer of the edge carries unless it set its own.
fn browser_headers() -> DefaultHeaders {
    DefaultHeaders::new()
        .add(("x-content-type-options", "nosniff"))
        .add(("x-frame-options", "DENY"))
}

/// The body of every service's `main`: load and validate settings (a bad
/// one stops the process with one line naming it, exit code 2), set up
/// logging, then run the service until it is stopped. `check` validates the
/// service's own settings and names them (see [`cli::ServiceCheck`]): it
/// runs before the service starts, and answers `--check-config`;
/// `--healthcheck` probes the running service (see [`cli`]).
pub async fn run_main<F, Fut>(service: &str, check: cli::ServiceCheck, run: F) -> ExitCode
where
    F: FnOnce(Settings) -> Fut,
    Fut: Future<Output = anyhow::Result<()>>,
{
    let command = match cli::Command::from_args(std::env::args().skip(1)) {
        Ok(command) => command,
        Err(error) => {
            eprintln!("{service}: {error}");
            return ExitCode::from(2);
        }
    };
    let settings = match Settings::load() {
        Ok(settings) => settings,
        Err(error) => {
            eprintln!("{service}: {error}");
            // A container health check takes any other code than 1 as "reserved".
            return ExitCode::from(if command == cli::Command::Healthcheck {
                1
            } else {
                2
            });
        }
    };
    if let Some(code) = cli::answer(command, service, &settings, check) {
        return code;
    }
    let unknown = match cli::unknown_variables(&settings, check) {
        Ok(unknown) => unknown,
        Err(error) => {
            eprintln!("{service}: {error}");
            return ExitCode::from(2);
        }
    };
    telemetry::init(&settings);
    tracing::info!(service, instance = %settings.instance_id, "starting");
    // Not fatal at start: `cargo xtask up` hands every service the same
    // environment. Deploy files are held to `--check-config`.
    for variable in unknown {
        tracing::warn!(
            service,
            variable,
            "unknown setting ignored (not read by this service)"
        );
    }
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
