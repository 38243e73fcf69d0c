use std::{sync::Arc, time::Duration};

use actix_web::{dev::ServerHandle, web};
use anyhow::Context as _;
use common::{
    Settings,
    health::{HttpCheck, PostgresCheck, Readiness, RedisCheck, TcpCheck},
    metrics::Metrics,
    redis_client::Keys,
    redis_conn::LazyRedis,
    server::{HttpService, bind_service},
    stats_keys::StatsKeys,
};
use reqwest::Url;

use crate::{
    auth::{accounts::AccountCache, rate_limit::LoginLimiter, sessions::SessionStore, users::UserStore},
    db,
    proxy::{
        balancer::{Balancer, Service},
        headers::Fixed,
        metrics::ProxyMetrics,
        upstream,
    },
    routes,
    settings::GatewaySettings,
    state::Gateway,
    subsonic::{
        credentials::Credentials, kept::KeptLists, play_figures::PlayFigures, song_albums::SongAlbums,
        starred_marks::StarredTimes,
    },
};

/// The gateway, bound and ready to run.
pub struct Application {
    http: HttpService,
    ops: actix_web::dev::Server,
    ops_port: u16,
}

impl Application {
    /// Binds the listener (`TONEARM_GATEWAY_PORT`; 0 picks a free port) and
    /// the operators' one (`TONEARM_GATEWAY_OPS_PORT`), applies the account
    /// migrations and creates the first admin when there is none. `/readyz`
    /// checks every upstream instance (the events WebSocket listeners by
    /// connecting to them), PostgreSQL and Redis; the public port tells
    /// only the outcome, the ops port the details.
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let gateway_settings = GatewaySettings::load(&settings)?;
        Self::build_with(settings, gateway_settings).await
    }

    /// As [`Application::build`], with the gateway settings given (tests).
    pub async fn build_with(settings: Settings, gateway_settings: GatewaySettings) -> anyhow::Result<Self> {
        if gateway_settings.internal_token.is_empty() {
            return Err(common::settings::internal_token_required().into());
        }
        let fixed_headers = Fixed::new(&gateway_settings.internal_token).context(
            "invalid setting TONEARM_INTERNAL_TOKEN: it must be printable ASCII (it is sent as a header)",
        )?;
        let pool = common::db::lazy_pool(&settings.database, 8)?;
        db::ensure_schema(&pool, &settings.database.schema).await?;
        db::migrate(&pool).await?;
        db::ensure_admin(&pool, &gateway_settings.admin_password).await?;

        let redis_client = common::redis_client::client(&settings.redis)?;
        let readiness = readiness(&settings, &pool, redis_client.clone())?;
        let metrics = Metrics::new("gateway")?;
        let ops_listener = common::server::bind(&gateway_settings.ops_host, gateway_settings.ops_port)?;
        let ops_port = ops_listener
            .local_addr()
            .context("reading the ops address")?
            .port();
        let ops = crate::ops::start(
            ops_listener,
            metrics.clone(),
            readiness.clone(),
            settings.shutdown_timeout,
        )?;
        tracing::info!(host = %gateway_settings.ops_host, port = ops_port, "metrics and readiness details served");
        let proxy_metrics = ProxyMetrics::register(metrics.registry())?;
        let redis = Arc::new(LazyRedis::new(redis_client));
        let keys = Keys::new(settings.redis.prefix.clone());
        let cooldown = gateway_settings.upstream_cooldown;
        let gateway = web::Data::new(Gateway {
            kept_lists: KeptLists::default(),
            starred_times: StarredTimes::new(gateway_settings.account_cache),
            fixed_headers,
            client: proxy_client(&gateway_settings)?,
            upstream: upstream::Clients::new(gateway_settings.connect_timeout)?,
            catalog: Balancer::new(
                Service::Catalog,
                &settings.upstreams.catalog,
                cooldown,
                &proxy_metrics,
            )?,
            stream: Balancer::new(
                Service::Stream,
                &settings.upstreams.stream,
                cooldown,
                &proxy_metrics,
            )?,
            events: Balancer::new(
                Service::Events,
                &settings.upstreams.events,
                cooldown,
                &proxy_metrics,
            )?,
            events_ws: Balancer::new(
                Service::EventsSocket,
                &settings.upstreams.events_ws,
                cooldown,
                &proxy_metrics,
            )?,
            sessions: SessionStore::new(redis.clone(), keys.clone(), gateway_settings.session_ttl),
            users: UserStore::new(pool.clone()),
            subsonic: Credentials::new(
                pool.clone(),
                &gateway_settings.secret_key,
                gateway_settings.account_cache,
            ),
            play_figures: PlayFigures::new(redis.clone(), StatsKeys::new(settings.redis.prefix.clone())),
            song_albums: SongAlbums::default(),
            accounts: AccountCache::new(UserStore::new(pool), gateway_settings.account_cache),
            limiter: LoginLimiter::new(
                redis,
                keys,
                gateway_settings.login_max_per_account,
                gateway_settings.login_max_per_address,
                gateway_settings.login_window,
            ),
            settings: gateway_settings,
        });
        let listener = bind_service(&settings, &settings.hosts.gateway, settings.ports.gateway)?;
        let head_timeout = gateway.settings.client_request_timeout;
        let routes = move |cfg: &mut web::ServiceConfig| routes::configure(cfg, gateway.clone());
        let http = HttpService::start_edge(listener, &settings, metrics, readiness, head_timeout, routes)?;
        Ok(Self { http, ops, ops_port })
    }

    pub fn port(&self) -> u16 {
        self.http.port()
    }

    /// The operators' port (`/metrics`, detailed `/readyz`).
    pub fn ops_port(&self) -> u16 {
        self.ops_port
    }

    /// Stops the server from elsewhere (tests); signals also stop it.
    pub fn handle(&self) -> ServerHandle {
        self.http.handle()
    }

    /// Serves until SIGTERM or Ctrl-C; in-flight requests finish first.
    /// The ops listener stops with the public one.
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        let ops = self.ops.handle();
        let ops_server = tokio::spawn(self.ops);
        let outcome = self.http.run_until_stopped().await;
        ops.stop(true).await;
        if let Ok(Err(error)) = ops_server.await {
            tracing::warn!(%error, "the ops listener stopped with an error");
        }
        outcome
    }
}

/// The client for the gateway's own requests to the services (their API
/// documents); relayed requests use `proxy::upstream`.
fn proxy_client(settings: &GatewaySettings) -> anyhow::Result<reqwest::Client> {
    reqwest::Client::builder()
        .connect_timeout(settings.connect_timeout)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .context("building the upstream HTTP client")
}

fn readiness(settings: &Settings, pool: &sqlx::PgPool, redis: redis::Client) -> anyhow::Result<Readiness> {
    let client = reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(2))
        .timeout(settings.readiness_timeout)
        .build()
        .context("building the readiness HTTP client")?;
    let mut readiness = Readiness::new(settings.readiness_timeout)
        .with(RedisCheck(redis))
        .with(PostgresCheck(pool.clone()));
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
    for (name, url) in instance_names("events-ws", &settings.upstreams.events_ws) {
        readiness = readiness.with(TcpCheck::new(name, url).map_err(anyhow::Error::msg)?);
    }
    Ok(readiness)
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
