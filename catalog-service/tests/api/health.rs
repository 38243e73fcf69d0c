//! Readiness follows PostgreSQL and the migrations.

use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{Options, TestApp, spawn_app, spawn_app_with};

/// Asserts `/readyz` answers `status` with the migrations check `check`.
async fn assert_migrations(app: &TestApp, status: StatusCode, check: &str) {
    let response = app
        .client
        .get(format!("{}/readyz", app.address))
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), status);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["checks"]["migrations"]["status"], check, "{body}");
}

#[tokio::test]
async fn ready_once_migrations_are_applied() {
    let app = spawn_app().await;
    assert_migrations(&app, StatusCode::OK, "ok").await;
}

#[tokio::test]
async fn not_ready_and_503_while_the_database_is_down() {
    let options = Options {
        // Nothing listens on port 1.
        database_url: Some("postgres://postgres@127.0.0.1:1/tonearm".into()),
        ..Options::default()
    };
    let app = spawn_app_with(options).await;
    assert_migrations(&app, StatusCode::SERVICE_UNAVAILABLE, "error").await;
    TestApp::expect_error(
        app.get("songs").await,
        StatusCode::SERVICE_UNAVAILABLE,
        "not_ready",
    )
    .await;
}
