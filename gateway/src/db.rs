//! The gateway's tables: migrations and the first admin account.
//!
//! The gateway shares its schema with the catalog, and sqlx keeps applied
//! migrations in one `_sqlx_migrations` table per schema, where each
//! service would see the other's versions as unknown. So the gateway's
//! migrations (ordinary sqlx files in `gateway/migrations`) are recorded in
//! their own table, `gateway_schema_migrations`.

use anyhow::Context as _;
use sqlx::{Connection as _, PgPool};

use crate::auth::{Role, password, users::UserStore};

/// Arbitrary constant for the advisory lock that serialises gateways
/// starting together.
const LOCK_ID: i64 = 0x746f_6e65_6761_7465;

/// Creates the schema if needed. Services sharing the schema may start at
/// the same moment, and two concurrent `CREATE SCHEMA IF NOT EXISTS` can
/// still collide in PostgreSQL's catalog; the loser retries once.
pub async fn ensure_schema(pool: &PgPool, schema: &str) -> anyhow::Result<()> {
    if common::db::ensure_schema(pool, schema).await.is_ok() {
        return Ok(());
    }
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    common::db::ensure_schema(pool, schema).await
}

/// Applies the migrations not yet applied, in one transaction.
pub async fn migrate(pool: &PgPool) -> anyhow::Result<()> {
    let migrator = sqlx::migrate!("./migrations");
    let mut connection = pool.acquire().await.context("connecting to PostgreSQL")?;
    let mut tx = connection.begin().await.context("starting the migration")?;
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(LOCK_ID)
        .execute(&mut *tx)
        .await
        .context("locking for the migration")?;
    sqlx::raw_sql(
        "CREATE TABLE IF NOT EXISTS gateway_schema_migrations (
            version bigint PRIMARY KEY,
            description text NOT NULL,
            checksum bytea NOT NULL,
            applied_at timestamptz NOT NULL DEFAULT now())",
    )
    .execute(&mut *tx)
    .await
    .context("creating gateway_schema_migrations")?;
    for migration in migrator.iter() {
        let applied: Option<Vec<u8>> =
            sqlx::query_scalar("SELECT checksum FROM gateway_schema_migrations WHERE version = $1")
                .bind(migration.version)
                .fetch_optional(&mut *tx)
                .await
                .context("reading applied migrations")?;
        match applied {
            Some(checksum) if checksum == migration.checksum.as_ref() => continue,
            Some(_) => anyhow::bail!(
                "gateway migration {} was changed after it was applied",
                migration.version
            ),
            None => {}
        }
        sqlx::raw_sql(migration.sql.as_ref())
            .execute(&mut *tx)
            .await
            .with_context(|| format!("applying gateway migration {}", migration.version))?;
        sqlx::query(
            "INSERT INTO gateway_schema_migrations (version, description, checksum) VALUES ($1, $2, $3)",
        )
        .bind(migration.version)
        .bind(migration.description.as_ref())
        .bind(migration.checksum.as_ref())
        .execute(&mut *tx)
        .await
        .context("recording a migration")?;
    }
    tx.commit().await.context("committing the migration")
}

/// On the first run (no admin account at all), creates `admin` with the
/// configured password, or a generated one printed once on standard output.
/// Runs under the migration lock so two gateways starting together create
/// one account.
pub async fn ensure_admin(pool: &PgPool, configured: &str) -> anyhow::Result<()> {
    let mut connection = pool.acquire().await.context("connecting to PostgreSQL")?;
    let mut tx = connection.begin().await.context("starting a transaction")?;
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(LOCK_ID)
        .execute(&mut *tx)
        .await
        .context("locking for the first admin")?;
    let admins: i64 = sqlx::query_scalar("SELECT count(*) FROM gateway_users WHERE role = 'admin'")
        .fetch_one(&mut *tx)
        .await
        .context("counting admins")?;
    if admins > 0 {
        return Ok(());
    }
    let generated = configured.is_empty();
    let secret = if generated {
        password::generate()?
    } else {
        configured.to_owned()
    };
    let hash = password::hash(secret.clone()).await?;
    UserStore::insert(&mut *tx, "admin", Role::Admin, &hash).await?;
    tx.commit().await.context("creating the first admin")?;
    if generated {
        // Shown once, on standard output only: never in the logs.
        println!("Tonearm: created the account \"admin\" with password: {secret}");
        println!("Tonearm: this password is shown only once; change it after signing in.");
        tracing::warn!(
            "created the account admin with a generated password, printed once on standard output"
        );
    } else {
        tracing::info!("created the account admin with the password from TONEARM_ADMIN_PASSWORD");
    }
    Ok(())
}
