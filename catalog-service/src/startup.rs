use actix_web::dev::ServerHandle;
use common::{
    Settings,
    health::{PostgresCheck, Readiness},
    metrics::Metrics,
    server::{HttpService, bind},
};

/// The catalog service, bound and ready to run.
pub struct Application {
    http: HttpService,
}

impl Application {
    /// Binds the listener (`TONEARM_CATALOG_PORT`; 0 picks a free port) and
    /// prepares the service. PostgreSQL is connected lazily, so the service
    /// starts and reports not-ready while the database is down.
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let pool = common::db::lazy_pool(&settings.database, 10)?;
        let readiness = Readiness::new(settings.readiness_timeout).with(PostgresCheck(pool));
        let listener = bind(&settings.host, settings.ports.catalog)?;
        let http = HttpService::start(
            listener,
            &settings,
            Metrics::new("catalog")?,
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
