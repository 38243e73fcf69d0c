use actix_web::{dev::ServerHandle, web};
use anyhow::Context as _;
use common::{
    Settings,
    fetch::Fetcher,
    health::{PostgresCheck, Readiness},
    metrics::Metrics,
    server::{HttpService, bind_service},
};

use crate::{
    metrics::StreamMetrics,
    notice::CatalogNotifier,
    routes::{self, StreamState},
    settings::StreamSettings,
    sources::SourceRepository,
    storage::{LocalStorage, RemoteStorage},
    transcode::Transcoder,
};

/// The stream service, bound and ready to run.
pub struct Application {
    http: HttpService,
}

impl Application {
    /// Reads the stream settings from the same layers as `settings`, then
    /// builds the service.
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let stream = StreamSettings::load()?;
        Self::build_with(settings, stream).await
    }

    /// Binds the listener (`TONEARM_STREAM_PORT`; 0 picks a free port) and
    /// prepares the service. PostgreSQL is connected lazily, so the service
    /// starts and reports not-ready while the database is down.
    pub async fn build_with(settings: Settings, stream: StreamSettings) -> anyhow::Result<Self> {
        let pool = common::db::lazy_pool(&settings.database, 10)?;
        let readiness = Readiness::new(settings.readiness_timeout).with(PostgresCheck(pool.clone()));
        let metrics = Metrics::new("stream")?;
        let stream_metrics = StreamMetrics::register(metrics.registry())?;
        let catalog = settings
            .upstreams
            .catalog
            .first()
            .cloned()
            .context("no catalog URL")?;
        let state = web::Data::new(StreamState {
            sources: SourceRepository::new(pool),
            local: LocalStorage::new(&stream.music_dirs, stream.chunk_size),
            remote: RemoteStorage::new(Fetcher::new(stream.fetch_policy())?, stream_metrics.clone()),
            transcoder: Transcoder::new(
                stream.ffmpeg.clone(),
                stream.transcode_max,
                stream_metrics.clone(),
            ),
            notifier: CatalogNotifier::new(catalog, settings.internal_token.as_deref())?,
            metrics: stream_metrics,
        });
        let listener = bind_service(&settings, &settings.hosts.stream, settings.ports.stream)?;
        let http = HttpService::start(listener, &settings, metrics, readiness, move |cfg| {
            cfg.app_data(state.clone()).configure(routes::configure);
        })?;
        Ok(Self { http })
    }

    pub fn port(&self) -> u16 {
        self.http.port()
    }

    pub fn handle(&self) -> ServerHandle {
        self.http.handle()
    }

    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        self.http.run_until_stopped().await
    }
}
