use actix_web::dev::ServerHandle;
use common::{
    Settings,
    health::{Readiness, RedisCheck},
    kafka::{KafkaCheck, ensure_topics_in_background, event_topics},
    metrics::Metrics,
    server::{HttpService, bind},
};

/// The stats consumer, bound and ready to run.
pub struct Application {
    http: HttpService,
    topics: tokio::task::JoinHandle<()>,
}

impl Application {
    /// Binds the listener (`TONEARM_STATS_PORT`; 0 picks a free port). The
    /// broker and Redis are reached lazily; `/readyz` says when they answer.
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let topics = event_topics(&settings.kafka);
        let names = topics.iter().map(|topic| topic.name.clone()).collect();
        let readiness = Readiness::new(settings.readiness_timeout)
            .with(KafkaCheck::new(
                &settings.kafka,
                names,
                settings.readiness_timeout,
            )?)
            .with(RedisCheck(common::redis_client::client(&settings.redis)?));
        let topics = ensure_topics_in_background(settings.kafka.clone(), topics);
        let listener = bind(&settings.host, settings.ports.stats)?;
        let http = HttpService::start(listener, &settings, Metrics::new("stats")?, readiness, |_cfg| {})?;
        Ok(Self { http, topics })
    }

    pub fn port(&self) -> u16 {
        self.http.port()
    }

    pub fn handle(&self) -> ServerHandle {
        self.http.handle()
    }

    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        let result = self.http.run_until_stopped().await;
        self.topics.abort();
        result
    }
}
