//! What the public may see: no metrics or dependency details on the public
//! port, pages that cannot be framed or fed foreign scripts, and no
//! content sniffing.

use crate::helpers::{TestApp, raw_request, spawn_app};

async fn ops_get(app: &TestApp, path: &str) -> reqwest::Response {
    app.client
        .get(format!("http://127.0.0.1:{}{path}", app.ops_port))
        .send()
        .await
        .expect("ops request")
}

#[tokio::test]
async fn metrics_and_readiness_details_are_not_served_on_the_public_port() {
    let app = spawn_app().await;
    assert_eq!(app.get("/metrics", None).await.status(), 404);
    let ready = app.get("/readyz", None).await;
    assert_eq!(ready.status(), 200);
    let report: serde_json::Value = ready.json().await.expect("json");
    assert_eq!(
        report,
        serde_json::json!({"status": "ready"}),
        "no dependency named"
    );
    assert_eq!(app.get("/healthz", None).await.status(), 200);

    let details: serde_json::Value = ops_get(&app, "/readyz").await.json().await.expect("json");
    assert_eq!(details["checks"]["postgres"]["status"], "ok", "{details}");
    assert_eq!(details["checks"]["catalog"]["status"], "ok", "{details}");
    let metrics = ops_get(&app, "/metrics").await;
    assert_eq!(metrics.status(), 200);
    assert!(
        metrics
            .text()
            .await
            .expect("text")
            .contains("tonearm_http_requests_total")
    );
}

#[tokio::test]
async fn every_page_has_a_content_security_policy_and_may_not_be_framed() {
    let app = spawn_app().await;
    for path in ["/", "/albums/123", "/api/docs"] {
        let page = app.get(path, None).await;
        assert_eq!(page.status(), 200, "{path}");
        let headers = page.headers();
        let policy = headers["content-security-policy"].to_str().expect("text");
        for directive in [
            "script-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "frame-ancestors 'none'",
        ] {
            assert!(policy.contains(directive), "{path}: {directive} in {policy}");
        }
        assert!(
            !policy.contains("unsafe-inline") && !policy.contains("unsafe-eval"),
            "{policy}"
        );
        assert_eq!(headers["x-frame-options"], "DENY", "{path}");
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
    }
}

#[tokio::test]
async fn the_api_viewer_runs_without_inline_script_or_style() {
    let app = spawn_app().await;
    let html = app.get("/api/docs", None).await.text().await.expect("html");
    for script in html.split("<script").skip(1) {
        let tag = script.split('>').next().expect("tag");
        assert!(
            tag.contains("src=\"/api/docs/"),
            "an inline script: <script{tag}>"
        );
        assert!(
            script.trim_start_matches(tag).starts_with("></script>"),
            "inline code"
        );
    }
    assert!(
        !html.contains("<style") && !html.contains("style="),
        "inline style"
    );
    for (path, kind) in [
        ("/api/docs/viewer.js", "text/javascript"),
        ("/api/docs/viewer.css", "text/css"),
    ] {
        let asset = app.get(path, None).await;
        assert_eq!(asset.status(), 200, "{path}");
        assert!(
            asset.headers()["content-type"]
                .to_str()
                .expect("text")
                .starts_with(kind)
        );
    }
}

#[tokio::test]
async fn every_answer_says_nosniff_even_proxied_ones_and_refusals() {
    let app = spawn_app().await;
    let cookie = app.admin_cookie().await;
    for (path, cookie, status) in [
        ("/healthz", None, 200),
        ("/readyz", None, 200),
        ("/api/catalog/songs", Some(cookie.as_str()), 200),
        ("/api/catalog/songs", None, 401),
        ("/api/unknown", None, 404),
    ] {
        let response = app.get(path, cookie).await;
        assert_eq!(response.status(), status, "{path}");
        assert_eq!(response.headers()["x-content-type-options"], "nosniff", "{path}");
    }
    let cross = app
        .client
        .post(app.url("/api/auth/logout"))
        .header("origin", "https://evil.example")
        .send()
        .await
        .expect("request");
    assert_eq!(cross.status(), 403);
    assert_eq!(cross.headers()["x-content-type-options"], "nosniff");
    let trick = raw_request(
        app.port,
        "GET /api/catalog/%2e%2e/x HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
    )
    .await
    .to_ascii_lowercase();
    assert!(trick.starts_with("http/1.1 400"), "{trick}");
    assert!(trick.contains("x-content-type-options: nosniff"), "{trick}");
}
