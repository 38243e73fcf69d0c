//! `spawn_app()`: the real catalog and stream services, scanning the small
//! tagged library of [`fixtures`], behind the real gateway, all in this
//! process on free ports with a schema, Redis prefix and topic of their own.
//! `spawn_live_app()` adds events-service and the stats consumer.

use std::time::{Duration, Instant};

use common::test_support::{self, gateway as accounts};
use serde_json::Value;
use tempfile::TempDir;

use crate::{fixtures, services};

pub const ADMIN_PASSWORD: &str = "end-to-end-admin";
pub const INTERNAL_TOKEN: &str = "end-to-end-internal-token";

/// The gateway in front of the running services.
pub struct TestApp {
    pub address: String,
    pub port: u16,
    pub client: reqwest::Client,
    /// The music folder and the services' own folders; removed when dropped.
    _dirs: TempDir,
}

/// Catalog and stream behind the gateway, the library scanned.
pub async fn spawn_app() -> TestApp {
    spawn(false).await
}

/// As [`spawn_app`], plus events-service and the stats consumer on the
/// test's topic (`/ws`, plays, now playing, the live figures).
pub async fn spawn_live_app() -> TestApp {
    spawn(true).await
}

async fn spawn(live: bool) -> TestApp {
    let (mut settings, id) = test_support::isolated_settings();
    settings.internal_token = Some(INTERNAL_TOKEN.into());
    let dirs = TempDir::new().expect("a temp dir");
    let music = dirs.path().join("music");
    std::fs::create_dir_all(&music).expect("music folder");
    fixtures::write_library(&music);
    settings.upstreams.catalog = vec![services::start_catalog(&settings, dirs.path()).await];
    settings.upstreams.stream = vec![services::start_stream(&settings, &music).await];
    if live {
        services::start_live(&mut settings, &id, dirs.path()).await;
    } else {
        // Nothing the tests without live figures call needs it.
        let down = test_support::dead_url();
        settings.upstreams.events = vec![services::url(&down)];
        settings.upstreams.events_ws =
            common::settings::socket_urls("events_ws_url", &down).expect("socket url");
    }
    let port = services::start_gateway(&settings).await;
    let app = TestApp {
        address: format!("http://127.0.0.1:{port}"),
        port,
        client: reqwest::Client::new(),
        _dirs: dirs,
    };
    app.wait_for_scan().await;
    app
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// Waits until `search3` lists every fixture song.
    async fn wait_for_scan(&self) {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let body = self.json("search3", &[("query", ""), ("songCount", "10")]).await;
            let found = body["subsonic-response"]["searchResult3"]["song"]
                .as_array()
                .map_or(0, Vec::len);
            if found == fixtures::SONGS.len() {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "the scan never listed the songs: {body}"
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// Signs in; returns the `Cookie` header value to send afterwards.
    pub async fn login(&self, username: &str, password: &str) -> String {
        accounts::sign_in(&self.client, &self.address, username, password).await
    }

    pub async fn admin_cookie(&self) -> String {
        self.login("admin", ADMIN_PASSWORD).await
    }

    /// Creates a listener as admin (password `listener-password`).
    pub async fn create_listener(&self, username: &str) {
        let admin = self.admin_cookie().await;
        let account = (username, "listener-password", "listener");
        accounts::create_user(&self.client, &self.address, &admin, account).await;
    }

    pub async fn get(&self, path: &str, cookie: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .header("cookie", cookie)
            .send()
            .await
            .expect("request")
    }

    /// A POST with the session `cookie` answered 201; its JSON body.
    pub async fn created(&self, cookie: &str, path: &str, body: Option<Value>) -> Value {
        let mut request = self.client.post(self.url(path)).header("cookie", cookie);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("request");
        assert_eq!(response.status(), 201, "{path}");
        response.json().await.expect("json")
    }

    /// A new API key of the admin (`/rest` calls that poll: every password
    /// attempt counts against the sign-in limits).
    pub async fn admin_api_key(&self) -> String {
        let cookie = self.admin_cookie().await;
        let body = serde_json::json!({"name": "tests"});
        let created = self.created(&cookie, "/api/auth/api-keys", Some(body)).await;
        created["key"].as_str().expect("key").to_owned()
    }

    /// The ops figures' total plays, read as an admin through the gateway.
    pub async fn total_plays(&self, cookie: &str) -> u64 {
        let stats: Value = self
            .get("/api/events/stats", cookie)
            .await
            .json()
            .await
            .expect("stats json");
        stats["total_plays"].as_u64().unwrap_or(0)
    }

    /// Waits until the total plays are `want`; fails at once above it.
    pub async fn wait_for_total_plays(&self, cookie: &str, want: u64) {
        eventually(&format!("{want} plays in all"), 60, || async {
            let total = self.total_plays(cookie).await;
            assert!(total <= want, "counted {total} plays, more than {want}");
            (total == want).then_some(())
        })
        .await;
    }
}

/// Reads the first 100 bytes of a song with a Range request.
pub async fn check_range(request: reqwest::RequestBuilder) {
    let ranged = request
        .header("range", "bytes=0-99")
        .send()
        .await
        .expect("stream");
    assert_eq!(ranged.status(), 206);
    let range = ranged.headers()["content-range"]
        .to_str()
        .expect("text")
        .to_owned();
    assert!(range.starts_with("bytes 0-99/"), "{range}");
    assert_eq!(ranged.bytes().await.expect("body").len(), 100);
}

/// Polls `check` every 200 ms until it answers `Some`, for up to `seconds`.
pub async fn eventually<T, F, Fut>(what: &str, seconds: u64, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = Instant::now() + Duration::from_secs(seconds);
    loop {
        if let Some(found) = check().await {
            return found;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
