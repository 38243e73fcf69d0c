//! The web UI: SPA fallback, asset caching, compression (never for audio).

use crate::helpers::spawn_app;

#[tokio::test]
async fn app_routes_fall_back_to_index_and_assets_are_immutable() {
    let app = spawn_app().await;
    for path in ["/", "/albums/123", "/settings"] {
        let response = app.get(path, None).await;
        assert_eq!(response.status(), 200, "{path}");
        assert_eq!(response.headers()["cache-control"], "no-cache");
        assert!(
            response
                .text()
                .await
                .expect("text")
                .contains("<title>Tonearm</title>")
        );
    }
    let asset = app.get("/assets/app-1a2b3c.js", None).await;
    assert_eq!(asset.status(), 200);
    assert_eq!(
        asset.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    assert!(
        asset.headers()["content-type"]
            .to_str()
            .expect("text")
            .starts_with("text/javascript")
    );
    assert_eq!(app.get("/assets/missing-123.js", None).await.status(), 404);
    let api = app.get("/api/unknown", None).await;
    assert_eq!(api.status(), 404);
    assert_eq!(crate::helpers::error_code(api).await, "route_not_found");
}

#[tokio::test]
async fn the_ui_is_compressed_but_audio_never_is() {
    let app = spawn_app().await;
    for encoding in ["gzip", "br"] {
        let page = app
            .client
            .get(app.url("/"))
            .header("accept-encoding", encoding)
            .send()
            .await
            .expect("request");
        assert_eq!(page.headers()["content-encoding"], encoding);
    }
    let cookie = app.admin_cookie().await;
    let audio = app
        .client
        .get(app.url("/api/stream/big?size=200000"))
        .header("cookie", &cookie)
        .header("accept-encoding", "gzip, br")
        .send()
        .await
        .expect("request");
    assert!(audio.headers().get("content-encoding").is_none());
    assert_eq!(audio.headers()["content-length"], "200000");
}
