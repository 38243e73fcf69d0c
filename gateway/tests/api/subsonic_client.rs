//! Tonearm's `/rest` driven by an independent client library, the npm
//! `subsonic-api` package (`tests/subsonic-client/check.mjs`): token
//! authentication with an app password, an API key with form POSTs,
//! browsing, search paging, a stream, starring, a playlist created and
//! edited, the play queue saved and restored, and a scrobble seen in now
//! playing and counted once in the live figures. Needs Node.js and the package,
//! which `cargo xtask test` installs (by hand:
//! `npm ci --prefix gateway/tests/subsonic-client`).

use serde_json::Value;

use crate::subsonic_system::System;

async fn post(system: &System, cookie: &str, path: &str, body: Option<Value>) -> Value {
    let mut request = system
        .app
        .client
        .post(system.app.url(path))
        .header("cookie", cookie);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.expect("request");
    assert_eq!(response.status(), 201, "{path}");
    response.json().await.expect("json")
}

#[tokio::test]
async fn the_subsonic_api_npm_client_browses_searches_streams_stars_and_keeps_playlists_and_the_queue() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/subsonic-client");
    assert!(
        dir.join("node_modules/subsonic-api").is_dir(),
        "run `npm ci --prefix gateway/tests/subsonic-client` first"
    );
    let system = System::start_live().await;
    let cookie = system.app.admin_cookie().await;
    let app_password = post(&system, &cookie, "/api/auth/app-password", None).await["password"]
        .as_str()
        .expect("password")
        .to_owned();
    let key = post(
        &system,
        &cookie,
        "/api/auth/api-keys",
        Some(serde_json::json!({"name": "npm"})),
    )
    .await["key"]
        .as_str()
        .expect("key")
        .to_owned();
    let output = tokio::process::Command::new("node")
        .arg("check.mjs")
        .args([&system.app.address, "admin", &app_password, &key])
        .current_dir(&dir)
        .output()
        .await
        .expect("node runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "the client failed: {stderr}");
    let seen: Value = serde_json::from_slice(&output.stdout).expect("one JSON line");
    assert_eq!(seen["type"], "tonearm");
    assert_eq!(seen["openSubsonic"], true);
    assert_eq!(seen["artist"], "Able Artist");
    assert_eq!(seen["album"], "First Album");
    assert_eq!(seen["song"], "Alpha One");
    assert_eq!(
        seen["titles"],
        serde_json::json!(["Alpha One", "Alpha Two", "Beta Song"])
    );
    assert_eq!(seen["streamStatus"], 200);
    assert!(seen["bytes"].as_u64() > Some(1000), "{seen}");
    assert_eq!(seen["albums"], serde_json::json!(["First Album", "Second Album"]));
    assert_eq!(seen["starredSongs"], serde_json::json!(["Alpha One"]));
    assert_eq!(seen["starredAlbums"], serde_json::json!(["First Album"]));
    assert_eq!(seen["starredAlbumsAfter"], serde_json::json!([]));
    assert_eq!(seen["createdCount"], 2);
    assert_eq!(
        seen["playlist"],
        serde_json::json!({
            "name": "Edited in the app", "comment": "two songs", "owner": "admin",
            "entries": ["Alpha Two", "Alpha One"]
        })
    );
    assert_eq!(seen["playlists"], serde_json::json!(["Edited in the app"]));
    assert_eq!(
        seen["queue"],
        serde_json::json!({
            "entries": ["Alpha Two", "Alpha One"], "current": true, "position": 12345,
            "changedBy": "subsonic-api"
        })
    );
    assert_eq!(
        seen["nowPlaying"],
        serde_json::json!([{"username": "admin", "title": "Alpha One", "minutesAgo": 0}]),
        "the scrobbled song showed as now playing"
    );
    // Now playing plus its submission: one play in the live figures.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let stats: Value = system
            .app
            .get("/api/events/stats", Some(&cookie))
            .await
            .json()
            .await
            .expect("stats");
        if stats["total_plays"] == 1 {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "plays never reached 1: {stats}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}
