//! PostgreSQL advisory locks: one session at a time per schema and name,
//! freed by release or by the holder's session ending.

use std::time::Duration;

use common::{Settings, pg_lock};
use sqlx::PgPool;

fn pool(schema: &str) -> PgPool {
    let mut settings = Settings::load().expect("settings");
    settings.database.schema = schema.to_owned();
    common::db::lazy_pool(&settings.database, 4).expect("pool")
}

/// A schema of its own, so tests running at once do not share locks.
async fn schema() -> String {
    let schema = format!("test_lock_{}", uuid::Uuid::new_v4().simple());
    common::db::ensure_schema(&pool("public"), &schema)
        .await
        .expect("schema");
    schema
}

#[tokio::test]
async fn two_replicas_on_one_schema_never_hold_the_lock_together() {
    let schema = schema().await;
    let (a, b) = (pool(&schema), pool(&schema));
    let (got_a, got_b) = tokio::join!(pg_lock::try_lock(&a, "scan"), pg_lock::try_lock(&b, "scan"));
    let (got_a, got_b) = (got_a.expect("a asks"), got_b.expect("b asks"));
    assert!(got_a.is_some() != got_b.is_some(), "exactly one gets it");
    let guard = got_a.or(got_b).expect("one holds it");
    assert!(pg_lock::try_lock(&a, "scan").await.expect("asks").is_none());
    assert!(
        pg_lock::try_lock(&a, "refresh").await.expect("asks").is_some(),
        "another name is another lock"
    );
    guard.release().await;
    let again = pg_lock::try_lock(&b, "scan").await.expect("asks");
    assert!(again.is_some(), "free once released");
}

#[tokio::test]
async fn other_schemas_do_not_share_the_lock() {
    let (one, two) = (schema().await, schema().await);
    let _held = pg_lock::try_lock(&pool(&one), "scan")
        .await
        .expect("asks")
        .expect("free");
    let other = pg_lock::try_lock(&pool(&two), "scan").await.expect("asks");
    assert!(other.is_some());
}

#[tokio::test]
async fn a_guard_dropped_without_release_frees_the_lock_with_its_session() {
    let schema = schema().await;
    let (a, b) = (pool(&schema), pool(&schema));
    drop(pg_lock::try_lock(&a, "scan").await.expect("asks").expect("free"));
    // The server ends the closed session shortly after.
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    loop {
        if pg_lock::try_lock(&b, "scan").await.expect("asks").is_some() {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "still locked");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
