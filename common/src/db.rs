//! PostgreSQL pools. Each service keeps its tables in one schema
//! (`TONEARM_DATABASE_SCHEMA`), which tests set to a fresh name.

use std::{str::FromStr, time::Duration};

use anyhow::Context as _;
use sqlx::{
    PgPool,
    postgres::{PgConnectOptions, PgPoolOptions},
};

use crate::settings::DatabaseSettings;

/// Connection options with the service's schema first on the search path.
pub fn connect_options(settings: &DatabaseSettings) -> anyhow::Result<PgConnectOptions> {
    let search_path = format!("{},public", settings.schema);
    Ok(PgConnectOptions::from_str(&settings.url)
        .context("parsing TONEARM_DATABASE_URL")?
        .options([("search_path", search_path.as_str())]))
}

/// A pool that connects on first use, so a service starts (and reports
/// not-ready) while PostgreSQL is down, and recovers when it returns.
pub fn lazy_pool(settings: &DatabaseSettings, max_connections: u32) -> anyhow::Result<PgPool> {
    Ok(PgPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(Duration::from_secs(3))
        .connect_lazy_with(connect_options(settings)?))
}

/// Creates the schema if needed; run before migrations.
pub async fn ensure_schema(pool: &PgPool, schema: &str) -> anyhow::Result<()> {
    // The schema name was validated as a plain identifier by the settings.
    sqlx::query(&format!("CREATE SCHEMA IF NOT EXISTS \"{schema}\""))
        .execute(pool)
        .await
        .with_context(|| format!("creating schema {schema}"))?;
    Ok(())
}
