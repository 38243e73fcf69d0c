use std::{sync::Arc, time::Duration};

use actix_web::{dev::ServerHandle, web};
use anyhow::Context as _;
use common::{
    Settings,
    fetch::Fetcher,
    health::{PostgresCheck, Readiness},
    metrics::Metrics,
    server::{HttpService, bind_service},
};
use sqlx::{
    PgPool,
    postgres::{PgConnectOptions, PgPoolOptions},
};

use crate::{
    api::{self, AppState, kept::KeptAnswers},
    covers::CoverCache,
    db::{self, MigrationsCheck},
    details::{
        DetailsFanOut,
        lastfm::{Lastfm, client::Client},
    },
    settings::CatalogSettings,
    sources::{
        Registry,
        internet::InternetSources,
        local::{LocalFolders, progress::ScanMetrics, scanner::Scanner},
    },
    store::changes::LibraryChanges,
};

/// The catalog service, bound and ready to run.
pub struct Application {
    http: HttpService,
    state: AppState,
}

impl Application {
    /// Binds the listener (`TONEARM_CATALOG_PORT`; 0 picks a free port) and
    /// prepares the service with the catalog settings from the environment.
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let catalog = CatalogSettings::load()?;
        Self::build_with(settings, catalog).await
    }

    /// As [`Application::build`], with catalog settings given (tests).
    /// PostgreSQL is connected lazily and migrated in the background, so the
    /// service starts and reports not-ready while the database is down.
    pub async fn build_with(settings: Settings, catalog: CatalogSettings) -> anyhow::Result<Self> {
        let pool = pool(&settings)?;
        let migrated = db::migrate_in_background(pool.clone(), settings.database.schema.clone());
        let metrics = Metrics::new("catalog")?;
        let fetcher = Fetcher::new(catalog.fetch.clone()).context("building the HTTP fetcher")?;
        let changes = LibraryChanges::default();
        let scanner = Scanner::new(
            pool.clone(),
            catalog.music_dirs.clone(),
            ScanMetrics::register(metrics.registry())?,
            changes.clone(),
        );
        let internet = InternetSources::new(pool.clone(), fetcher.clone(), catalog.source_refresh);
        let covers = cover_cache(&catalog, fetcher.clone(), &scanner, &metrics).await?;
        let sources = registry(&catalog, &scanner, &internet);
        let details = DetailsFanOut::new().with(Arc::new(lastfm(&catalog, &fetcher, &pool)));
        let state = AppState {
            kept: KeptAnswers::new(changes.clone()),
            pool: pool.clone(),
            search_pool: search_pool(&settings, catalog.search_timeout)?,
            migrated: migrated.clone(),
            details,
            scanner,
            internet,
            covers,
        };
        let readiness = Readiness::new(settings.readiness_timeout)
            .with(PostgresCheck(pool))
            .with(MigrationsCheck(migrated));
        let listener = bind_service(&settings, &settings.hosts.catalog, settings.ports.catalog)?;
        let data = web::Data::new(state.clone());
        let http = HttpService::start(listener, &settings, metrics, readiness, move |cfg| {
            cfg.app_data(data.clone()).configure(api::configure);
        })?;
        start_background(&state, sources);
        follow_changes(&settings, &state, changes)?;
        Ok(Self { http, state })
    }

    pub fn port(&self) -> u16 {
        self.http.port()
    }

    pub fn handle(&self) -> ServerHandle {
        self.http.handle()
    }

    /// The shared state (tests look at the scanner through it).
    pub fn state(&self) -> &AppState {
        &self.state
    }

    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        self.http.run_until_stopped().await
    }
}

/// The cover cache, its folder prepared off the async runtime.
async fn cover_cache(
    catalog: &CatalogSettings,
    fetcher: Fetcher,
    scanner: &Scanner,
    metrics: &Metrics,
) -> anyhow::Result<CoverCache> {
    let settings = catalog.covers.clone();
    let data_dir = catalog.data_dir.clone();
    let roots = scanner.confine().clone();
    let registry = metrics.registry().clone();
    tokio::task::spawn_blocking(move || CoverCache::new(&settings, &data_dir, fetcher, roots, &registry))
        .await
        .context("preparing the cover cache")?
}

/// Every source of songs; a new source is registered here.
fn registry(catalog: &CatalogSettings, scanner: &Scanner, internet: &InternetSources) -> Registry {
    let has_folders = !catalog.music_dirs.is_empty();
    let watch = (catalog.watch && has_folders).then_some(catalog.watch_debounce);
    let local = LocalFolders::new(scanner.clone(), catalog.scan_on_start && has_folders, watch);
    Registry::new()
        .with(Arc::new(local))
        .with(Arc::new(internet.clone()))
}

/// The Last.fm details provider; off (but answering) without an API key.
fn lastfm(catalog: &CatalogSettings, fetcher: &Fetcher, pool: &PgPool) -> Lastfm {
    let client = catalog.lastfm.as_ref().map(|lastfm| {
        Client::new(
            fetcher.clone(),
            catalog.lastfm_url.clone(),
            lastfm.api_key.clone(),
            catalog.lastfm_rate_per_sec,
        )
    });
    Lastfm::new(client, pool.clone(), catalog.lastfm_cache_ttl)
}

/// A lazy pool whose connections use the catalog schema and the search
/// similarity threshold.
fn pool(settings: &Settings) -> anyhow::Result<PgPool> {
    lazy_pool(connect_options(settings)?, 10)
}

/// The pool of `GET search`: its statements are shaped for index plans (see
/// `store::search`), so sequential scans are off (a scan "until enough
/// matches" costs the whole table when a word matches nothing), and so is
/// JIT compilation (never worth it for a millisecond of work). Their plans
/// do not depend on the text searched, so the plan prepared once is kept:
/// planning them again (what PostgreSQL does when the limit is a
/// parameter) would cost more than running them. A statement is cancelled
/// after `timeout` (`TONEARM_SEARCH_TIMEOUT_MS`, by default 250 ms, a few
/// hundred times what one usually costs): only a search by trigram
/// similarity can take that long, and it is then run again without it.
fn search_pool(settings: &Settings, timeout: Duration) -> anyhow::Result<PgPool> {
    let timeout = format!("{}ms", timeout.as_millis());
    let options = connect_options(settings)?.options([
        ("enable_seqscan", "off"),
        ("jit", "off"),
        ("plan_cache_mode", "force_generic_plan"),
        ("statement_timeout", timeout.as_str()),
    ]);
    lazy_pool(options, 10)
}

fn connect_options(settings: &Settings) -> anyhow::Result<PgConnectOptions> {
    Ok(common::db::connect_options(&settings.database)?
        // Typo tolerance of search: "beatels" still finds "Beatles".
        .options([("pg_trgm.word_similarity_threshold", "0.5")]))
}

fn lazy_pool(options: PgConnectOptions, max_connections: u32) -> anyhow::Result<PgPool> {
    Ok(PgPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(Duration::from_secs(3))
        .connect_lazy_with(options))
}

/// Library change notices, on a connection of their own, once the
/// migrations (which make the triggers) are applied.
fn follow_changes(settings: &Settings, state: &AppState, changes: LibraryChanges) -> anyhow::Result<()> {
    let pool = lazy_pool(common::db::connect_options(&settings.database)?, 1)?;
    let schema = settings.database.schema.clone();
    let migrated = state.migrated.clone();
    tokio::spawn(async move {
        migrated.wait().await;
        changes.follow(pool, schema).await;
    });
    Ok(())
}

/// Work that starts once the migrations are applied: every source's
/// schedule (the first scan, the watcher, the refresh of Internet sources).
fn start_background(state: &AppState, sources: Registry) {
    let migrated = state.migrated.clone();
    tokio::spawn(async move {
        migrated.wait().await;
        sources.schedule_all().await;
    });
}
