//! The benchmark's schema: connections to it, and its removal.

use anyhow::Context as _;
use common::{Settings, settings::DatabaseSettings};
use sqlx::PgPool;

use crate::Result;

/// A pool on `schema` of the configured database.
pub async fn pool(schema: &str) -> Result<PgPool> {
    let settings = Settings::load()?;
    let database = DatabaseSettings {
        url: settings.database.url,
        schema: schema.to_owned(),
    };
    Ok(PgPool::connect_with(common::db::connect_options(&database)?).await?)
}

/// Removes the benchmark's schema.
pub async fn drop(schema: &str) -> Result {
    let pool = pool("public").await?;
    sqlx::query(&format!("DROP SCHEMA IF EXISTS \"{schema}\" CASCADE"))
        .execute(&pool)
        .await
        .context("dropping the schema")?;
    Ok(())
}
