use std::sync::Arc;

use actix_web::dev::ServerHandle;
use anyhow::Context as _;
use common::{
    Settings,
    health::{Readiness, RedisCheck},
    kafka::event_topics_readiness,
    metrics::Metrics,
    redis_conn::LazyRedis,
    server::{HttpService, bind_service},
    stats_keys::StatsKeys,
};
use tokio::{sync::watch, task::JoinHandle};

use crate::{
    consumer::{FoldLoop, create_consumer},
    dlq::DeadLetters,
    fold::{FoldTarget, Folder},
    metrics::ConsumerMetrics,
    recovery::Recovery,
    settings::StatsSettings,
    sweeper,
    watchdog::{self, FoldCheck, FoldStatus, Watchdog},
};

/// The stats consumer, bound and ready to run.
pub struct Application {
    http: HttpService,
    topics: JoinHandle<()>,
    fold: FoldLoop,
    watchdog: Watchdog,
    sweeper: JoinHandle<()>,
    stop: watch::Sender<bool>,
}

impl Application {
    /// Binds the listener (`TONEARM_STATS_PORT`; 0 picks a free port) with
    /// the stats settings read from the environment.
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let stats = StatsSettings::load()?;
        Self::build_with(settings, stats).await
    }

    /// Binds the listener with explicit stats settings (tests).
    pub async fn build_with(settings: Settings, stats: StatsSettings) -> anyhow::Result<Self> {
        let (topics_ready, topics) = event_topics_readiness(&settings)?;
        let redis_client = common::redis_client::client(&settings.redis)?;
        let status = FoldStatus::default();
        let readiness = Readiness::new(settings.readiness_timeout)
            .with(topics_ready)
            .with(RedisCheck(redis_client.clone()))
            .with(FoldCheck(status.clone()));
        let metrics = Metrics::new("stats")?;
        let consumer_metrics = ConsumerMetrics::register(metrics.registry())?;
        let redis = Arc::new(LazyRedis::new(redis_client.clone()));
        let keys = StatsKeys::new(settings.redis.prefix.clone());
        let (stop, stop_rx) = watch::channel(false);
        let sweeper = tokio::spawn(sweeper::run(
            Arc::clone(&redis),
            keys.clone(),
            stats.presence_timeout,
            stats.sweep_interval,
            consumer_metrics.clone(),
            stop_rx,
        ));
        let watchdog = Watchdog {
            probe: watchdog::probe(&settings.kafka)?,
            redis: Arc::clone(&redis),
            keys: keys.clone(),
            topic: settings.kafka.events_topic.clone(),
            stall: stats.stall,
            status,
            metrics: consumer_metrics.clone(),
            recovery: Recovery::new(stats.stall, consumer_metrics.clone()),
        };
        let fold = FoldLoop {
            consumer: Arc::new(create_consumer(&settings, &stats, redis_client)?),
            redis,
            folder: Folder::default(),
            target: FoldTarget {
                keys,
                session_ttl_secs: stats.session_ttl_secs,
                trending_ttl_secs: stats.trending_ttl_secs,
                ranked_songs: stats.ranked_songs,
                notify: true,
            },
            dead_letters: DeadLetters::new(&settings.kafka)?,
            stats,
            metrics: consumer_metrics,
        };
        let listener = bind_service(&settings, &settings.hosts.stats, settings.ports.stats)?;
        let http = HttpService::start(listener, &settings, metrics, readiness, |_cfg| {})?;
        Ok(Self {
            http,
            topics,
            fold,
            watchdog,
            sweeper,
            stop,
        })
    }

    pub fn port(&self) -> u16 {
        self.http.port()
    }

    pub fn handle(&self) -> ServerHandle {
        self.http.handle()
    }

    /// Serves health and metrics and folds events until SIGTERM, Ctrl-C or
    /// [`ServerHandle::stop`]; the batch in progress is finished first.
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        let topic = self.watchdog.topic.clone();
        let watchdog = tokio::spawn(
            self.watchdog
                .run(Arc::clone(&self.fold.consumer), self.stop.subscribe()),
        );
        let fold = tokio::spawn(self.fold.run(self.topics, topic, self.stop.subscribe()));
        let result = self.http.run_until_stopped().await;
        let _ = self.stop.send(true);
        fold.await.context("the consumer loop failed")?;
        let _ = watchdog.await;
        let _ = self.sweeper.await;
        result
    }
}
