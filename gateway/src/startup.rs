use std::time::Duration;

use actix_web::dev::ServerHandle;
use anyhow::Context as _;
use common::{
    Settings,
    health::{HttpCheck, Readiness, RedisCheck},
    metrics::Metrics,
    server::{HttpService, bind},
};
use reqwest::Url;

/// The gateway, bound and ready to run.
pub struct Application {
    http: HttpService,
}

impl Application {
    /// Binds the listener (`TONEARM_GATEWAY_PORT`; 0 picks a free port).
    /// `/readyz` checks every configured upstream instance and Redis.
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let client = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(2))
            .timeout(settings.readiness_timeout)
            .build()
            .context("building the upstream HTTP client")?;
        let mut readiness = Readiness::new(settings.readiness_timeout)
            .with(RedisCheck(common::redis_client::client(&settings.redis)?));
        for (service, urls) in [
            ("catalog", &settings.upstreams.catalog),
            ("stream", &settings.upstreams.stream),
            ("events", &settings.upstreams.events),
        ] {
            for (name, url) in instance_names(service, urls) {
                let check = HttpCheck::new(name, url, client.clone()).map_err(anyhow::Error::msg)?;
                readiness = readiness.with(check);
            }
        }
        let listener = bind(&settings.host, settings.ports.gateway)?;
        let http = HttpService::start(
            listener,
            &settings,
            Metrics::new("gateway")?,
            readiness,
            |_cfg| {},
        )?;
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

/// `catalog` for a single instance; `catalog[0]`, `catalog[1]`... for several.
fn instance_names<'a>(service: &str, urls: &'a [Url]) -> Vec<(String, &'a Url)> {
    if urls.len() == 1 {
        return urls.iter().map(|url| (service.to_owned(), url)).collect();
    }
    urls.iter()
        .enumerate()
        .map(|(index, url)| (format!("{service}[{index}]"), url))
        .collect()
}
