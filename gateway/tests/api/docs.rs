//! `/api/docs`: merged OpenAPI and an embedded viewer.

use crate::helpers::{Options, spawn_app_with};
use common::test_support::dead_url;

#[tokio::test]
async fn the_merged_document_has_every_reachable_service_and_the_gateway() {
    let app = spawn_app_with(Options {
        stream: Some(dead_url()),
        ..Options::default()
    })
    .await;
    let document: serde_json::Value = app
        .get("/api/docs/openapi.json", None)
        .await
        .json()
        .await
        .expect("json");
    let paths = document["paths"].as_object().expect("paths");
    assert!(paths.contains_key("/api/auth/login"));
    assert!(paths.contains_key("/api/admin/users"));
    assert!(paths.contains_key("/api/catalog/things"));
    assert!(paths.contains_key("/api/events/things"));
    assert!(!paths.contains_key("/api/stream/things"));
    assert_eq!(
        document["info"]["x-tonearm-missing-services"],
        serde_json::json!(["stream"])
    );
}

#[tokio::test]
async fn the_viewer_needs_nothing_from_elsewhere() {
    let app = spawn_app_with(Options::default()).await;
    let page = app.get("/api/docs", None).await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.expect("html");
    assert!(html.contains("/api/docs/openapi.json"));
    assert!(!html.contains("src=\"http"), "no external scripts");
    assert!(!html.contains("href=\"http"), "no external styles");
}
