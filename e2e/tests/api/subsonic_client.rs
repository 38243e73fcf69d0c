//! Tonearm's `/rest` driven by an independent client library, the npm
//! `subsonic-api` package (`tests/subsonic-client/check.mjs`): token
//! authentication with an app password, an API key with form POSTs,
//! browsing, search paging, a stream, starring, a playlist created and
//! edited, the play queue saved and restored, and a scrobble seen in now
//! playing and counted once in the live figures. Needs Node.js and the package,
//! which `cargo xtask test` installs (by hand:
//! `npm ci --prefix e2e/tests/subsonic-client`).

use serde_json::Value;

use crate::helpers::spawn_live_app;

#[tokio::test]
async fn the_subsonic_api_npm_client_browses_searches_streams_stars_and_keeps_playlists_and_the_queue() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/subsonic-client");
    assert!(
        dir.join("node_modules/subsonic-api").is_dir(),
        "run `npm ci --prefix e2e/tests/subsonic-client` first"
    );
    let app = spawn_live_app().await;
    let cookie = app.admin_cookie().await;
    let created = app.created(&cookie, "/api/auth/app-password", None).await;
    let app_password = created["password"].as_str().expect("password").to_owned();
    let key = app.admin_api_key().await;
    let output = tokio::process::Command::new("node")
        .arg("check.mjs")
        .args([&app.address, "admin", &app_password, &key])
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
    app.wait_for_total_plays(&cookie, 1).await;
}
