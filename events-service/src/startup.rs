use std::sync::Arc;

use actix_web::{dev::ServerHandle, web};
use common::{
    Settings,
    health::{Readiness, RedisCheck},
    identity::InternalToken,
    kafka::event_topics_readiness,
    metrics::Metrics,
    redis_conn::LazyRedis,
    server::{HttpService, bind_service},
    stats_keys::StatsKeys,
};
use prometheus::IntGauge;
use tokio::task::JoinHandle;
use utoipa::OpenApi as _;

use crate::{
    announcements::{self, AnnouncementsContext},
    hub::Hub,
    now_playing::{self, NowPlayingContext},
    openapi,
    ops_stats::{self, OpsStatsContext},
    publisher::{Publisher, PublisherMetrics, PublisherThread},
    scrobbles::{self, ScrobbleContext},
    settings::EventsSettings,
    songs::SongCheck,
    subscriber,
    ws::{Gate, SocketCaps, WsContext, WsListener},
};

/// The events service, bound and ready to run.
pub struct Application {
    http: HttpService,
    ws_port: u16,
    ws_listener: JoinHandle<()>,
    publisher: Publisher,
    producer_thread: PublisherThread,
    tasks: Vec<JoinHandle<()>>,
    closing: tokio::sync::watch::Sender<bool>,
    connections: IntGauge,
}

impl Application {
    /// Binds the HTTP listener (`TONEARM_EVENTS_PORT`) and the WebSocket
    /// listener (`TONEARM_EVENTS_WS_PORT`; 0 picks a free port for either)
    /// with the events settings read from the environment.
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let events = EventsSettings::load()?;
        Self::build_with(settings, events).await
    }

    /// Binds the listeners with explicit events settings (tests).
    pub async fn build_with(settings: Settings, events: EventsSettings) -> anyhow::Result<Self> {
        let (topics_ready, ensure_topics) = event_topics_readiness(&settings)?;
        let redis_client = common::redis_client::client(&settings.redis)?;
        let metrics = Metrics::new("events")?;
        let publisher_metrics = PublisherMetrics::register(metrics.registry())?;
        let (publisher, producer_thread) = Publisher::start(
            &settings.kafka,
            &events,
            publisher_metrics,
            settings.shutdown_timeout,
        )?;
        let readiness = Readiness::new(settings.readiness_timeout)
            .with(topics_ready)
            .with(RedisCheck(redis_client.clone()))
            .with(publisher.readiness());
        let redis = Arc::new(LazyRedis::new(redis_client));
        let keys = StatsKeys::new(settings.redis.prefix.clone());
        let hub = Hub::new(
            Arc::clone(&redis),
            keys.clone(),
            events.presence_timeout,
            events.announcements_kept,
        );
        let tasks = vec![
            ensure_topics,
            tokio::spawn(hub.clone().run_ticker(events.tick)),
            tokio::spawn(subscriber::run(
                Arc::clone(&redis),
                keys.clone(),
                hub.clone(),
                events.announcements_kept,
            )),
        ];
        let connections = IntGauge::new("ws_connections", "Open player WebSockets")?;
        metrics.registry().register(Box::new(connections.clone()))?;
        let (closing, closing_rx) = tokio::sync::watch::channel(false);
        let ws = {
            common::server::refuse_open_bind_without_token(&settings, &settings.hosts.events)?;
            WsListener::bind(&settings.hosts.events, settings.ports.events_ws)?
        };
        let ws_port = ws.port();
        let songs = Arc::new(SongCheck::new(
            settings.upstreams.catalog.clone(),
            settings.internal_token.clone(),
            events.song_check.clone(),
            metrics.registry(),
        )?);
        let gate = Gate {
            token: InternalToken::new(settings.internal_token.clone()),
            public_origins: events.public_origins.clone(),
            caps: SocketCaps::new(events.max_sockets_per_user, events.max_sockets_per_address),
        };
        let ws_listener = ws.serve(Arc::new(WsContext {
            closing: closing_rx,
            publisher: publisher.clone(),
            hub,
            settings: events.clone(),
            instance: settings.instance_id.clone(),
            connections: connections.clone(),
            gate,
            songs: Arc::clone(&songs),
        }));
        let scrobble_context = web::Data::new(ScrobbleContext {
            publisher: publisher.clone(),
            songs,
            redis: Arc::clone(&redis),
            keys: keys.clone(),
            instance: settings.instance_id.clone(),
        });
        let now_playing_context = web::Data::new(NowPlayingContext {
            redis: Arc::clone(&redis),
            keys: keys.clone(),
            presence_timeout: events.presence_timeout,
        });
        let ops_stats_context = web::Data::new(OpsStatsContext {
            redis: Arc::clone(&redis),
            keys: keys.clone(),
            presence_timeout: events.presence_timeout,
        });
        let announcements_context = web::Data::new(AnnouncementsContext {
            redis,
            keys,
            kept: events.announcements_kept,
        });
        let listener = bind_service(&settings, &settings.hosts.events, settings.ports.events)?;
        let http = HttpService::start(listener, &settings, metrics, readiness, move |cfg| {
            cfg.app_data(announcements_context.clone())
                .app_data(ops_stats_context.clone())
                .app_data(scrobble_context.clone())
                .app_data(now_playing_context.clone())
                .route("/api/events/scrobbles", web::post().to(scrobbles::create))
                .route("/api/events/now-playing", web::get().to(now_playing::get))
                .route("/api/events/announcements", web::post().to(announcements::create))
                .route("/api/events/announcements", web::get().to(announcements::list))
                .route("/api/events/stats", web::get().to(ops_stats::get));
            common::http::serve_openapi(cfg, "/api/events/openapi.json", &openapi::ApiDoc::openapi());
        })?;
        Ok(Self {
            http,
            ws_port,
            ws_listener,
            publisher,
            producer_thread,
            tasks,
            closing,
            connections,
        })
    }

    /// The HTTP port (`/healthz`, `/readyz`, `/metrics`, `/api/events/*`).
    pub fn port(&self) -> u16 {
        self.http.port()
    }

    /// The WebSocket port (`/ws`).
    pub fn ws_port(&self) -> u16 {
        self.ws_port
    }

    pub fn handle(&self) -> ServerHandle {
        self.http.handle()
    }

    /// Serves until stopped, then stops accepting sockets, closes the open
    /// ones with 1012 and hands every accepted event to the broker (or to
    /// the spool, for the next start).
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        let closing = self.closing.clone();
        // Sockets would hold a graceful stop open until its timeout; on
        // SIGTERM or Ctrl-C tell them to reconnect elsewhere at once.
        let signals = tokio::spawn(async move {
            wait_for_signal().await;
            let _ = closing.send(true);
        });
        let result = self.http.run_until_stopped().await;
        signals.abort();
        let _ = self.closing.send(true);
        let _ = self.ws_listener.await;
        // Let closing sockets queue their `disconnected` events.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(2);
        while self.connections.get() > 0 && std::time::Instant::now() < deadline {
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        for task in &self.tasks {
            task.abort();
        }
        self.publisher.close();
        let thread = self.producer_thread;
        let _ = tokio::task::spawn_blocking(move || thread.join()).await;
        result
    }
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        let Ok(mut term) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) else {
            return std::future::pending().await;
        };
        tokio::select! {
            _ = term.recv() => {}
            _ = tokio::signal::ctrl_c() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
