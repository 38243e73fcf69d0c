//! `spawn_app()`: the real catalog and stream services, scanning the small
//! tagged library of [`fixtures`], behind the real gateway, all in this
//! process on free ports with a schema, Redis prefix and topic of their own.
//! `spawn_live_app()` adds events-service and the stats consumer.

use std::{
    path::Path,
    time::{Duration, Instant},
};

use common::test_support::{self, gateway as accounts};
use reqwest::Url;
use serde_json::Value;
use tempfile::TempDir;

use crate::fixtures;

pub const ADMIN_PASSWORD: &str = "end-to-end-admin";
const INTERNAL_TOKEN: &str = "end-to-end-internal-token";

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
    settings.upstreams.catalog = vec![start_catalog(&settings, dirs.path()).await];
    settings.upstreams.stream = vec![start_stream(&settings, &music).await];
    if live {
        start_live(&mut settings, &id, dirs.path()).await;
    } else {
        // Nothing the tests without live figures call needs it.
        let down = test_support::dead_url();
        settings.upstreams.events = vec![url(&down)];
        settings.upstreams.events_ws =
            common::settings::socket_urls("events_ws_url", &down).expect("socket url");
    }
    let app = start_gateway(&settings, dirs).await;
    app.wait_for_scan().await;
    app
}

fn url(text: &str) -> Url {
    Url::parse(text).expect("url")
}

fn local(port: u16) -> Url {
    url(&format!("http://127.0.0.1:{port}"))
}

/// The catalog, scanning `dirs/music` once at start.
async fn start_catalog(settings: &common::Settings, dirs: &Path) -> Url {
    let raw = catalog_service::settings::RawCatalogSettings {
        music_dirs: dirs.join("music").display().to_string(),
        scan_on_start: true,
        watch: false,
        catalog_data_dir: dirs.join("catalog").display().to_string(),
        lastfm_api_key: String::new(),
        ..Default::default()
    };
    let catalog_settings =
        catalog_service::CatalogSettings::validate(raw, common::fetch::RawFetchSettings::default())
            .expect("catalog settings");
    let catalog = catalog_service::Application::build_with(settings.clone(), catalog_settings)
        .await
        .expect("catalog builds");
    let address = local(catalog.port());
    tokio::spawn(catalog.run_until_stopped());
    address
}

async fn start_stream(settings: &common::Settings, music: &Path) -> Url {
    let raw = stream_service::settings::RawStreamSettings {
        music_dirs: music.display().to_string(),
        ..Default::default()
    };
    let stream_settings = stream_service::StreamSettings::try_from(raw).expect("stream settings");
    let stream = stream_service::Application::build_with(settings.clone(), stream_settings)
        .await
        .expect("stream builds");
    let address = local(stream.port());
    tokio::spawn(stream.run_until_stopped());
    address
}

/// events-service and the stats consumer; points `settings` at them once
/// events-service is ready.
async fn start_live(settings: &mut common::Settings, id: &str, dirs: &Path) {
    let mut events_settings = events_service::settings::EventsSettings::load().expect("events settings");
    events_settings.spool_dir = dirs.join("spool");
    events_settings.tick = Duration::from_millis(50);
    let events = events_service::Application::build_with(settings.clone(), events_settings)
        .await
        .expect("events builds");
    let events_url = local(events.port());
    let socket = format!("ws://127.0.0.1:{}", events.ws_port());
    tokio::spawn(events.run_until_stopped());
    let mut stats_settings = stats_consumer::settings::StatsSettings::load().expect("stats settings");
    stats_settings.group = format!("test-e2e-{id}");
    // A fold that stalls (tansu's group coordinator can hand a member a
    // stale assignment) is recovered by the watchdog; keep its wait short
    // so the tests measure recovery, not the default patience.
    stats_settings.stall = Duration::from_secs(2);
    let stats = stats_consumer::Application::build_with(settings.clone(), stats_settings)
        .await
        .expect("stats consumer builds");
    tokio::spawn(stats.run_until_stopped());
    wait_ready(&events_url).await;
    settings.upstreams.events = vec![events_url];
    settings.upstreams.events_ws =
        common::settings::socket_urls("events_ws_url", &socket).expect("socket url");
}

async fn wait_ready(service: &Url) {
    let client = reqwest::Client::new();
    let readyz = service.join("/readyz").expect("url");
    let deadline = Instant::now() + Duration::from_secs(30);
    while !client
        .get(readyz.clone())
        .send()
        .await
        .is_ok_and(|response| response.status().is_success())
    {
        assert!(Instant::now() < deadline, "{service} never became ready");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The gateway, with a secret key (Subsonic token authentication).
async fn start_gateway(settings: &common::Settings, dirs: TempDir) -> TestApp {
    let mut gateway_settings = gateway::GatewaySettings::try_from(gateway::settings::RawGatewaySettings {
        admin_password: ADMIN_PASSWORD.into(),
        secret_key: "a secret key for the tests".into(),
        ..Default::default()
    })
    .expect("gateway settings");
    gateway_settings.internal_token = INTERNAL_TOKEN.into();
    let gateway = gateway::Application::build_with(settings.clone(), gateway_settings)
        .await
        .expect("gateway builds");
    let port = gateway.port();
    tokio::spawn(gateway.run_until_stopped());
    TestApp {
        address: format!("http://127.0.0.1:{port}"),
        port,
        client: reqwest::Client::new(),
        _dirs: dirs,
    }
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

    /// `/rest/<method>` as admin with a plain password, as JSON.
    pub async fn json(&self, method: &str, params: &[(&str, &str)]) -> Value {
        self.call(method, params, "json")
            .await
            .json()
            .await
            .expect("a JSON answer")
    }

    /// `/rest/<method>` as admin in the format `f`.
    pub async fn call(&self, method: &str, params: &[(&str, &str)], f: &str) -> reqwest::Response {
        let credentials = [("u", "admin"), ("p", ADMIN_PASSWORD), ("f", f)];
        self.rest(method, &credentials, params).await
    }

    /// `/rest/<method>` as `user` with a plain password, as JSON.
    pub async fn json_as(&self, user: &str, password: &str, method: &str, params: &[(&str, &str)]) -> Value {
        let credentials = [("u", user), ("p", password), ("f", "json")];
        let response = self.rest(method, &credentials, params).await;
        response.json().await.expect("a JSON answer")
    }

    /// `/rest/<method>` with an API key, as JSON.
    pub async fn keyed(&self, key: &str, method: &str, params: &[(&str, &str)]) -> Value {
        let credentials = [("apiKey", key), ("f", "json")];
        let response = self.rest(method, &credentials, params).await;
        response.json().await.expect("a JSON answer")
    }

    async fn rest(
        &self,
        method: &str,
        credentials: &[(&str, &str)],
        params: &[(&str, &str)],
    ) -> reqwest::Response {
        let mut query = vec![("v", "1.16.1"), ("c", "tests")];
        query.extend_from_slice(credentials);
        query.extend_from_slice(params);
        self.client
            .get(self.url(&format!("/rest/{method}")))
            .query(&query)
            .send()
            .await
            .expect("rest call")
    }
}

/// The `subsonic-response` of a successful answer (panics on a failure).
pub fn ok(body: &Value) -> &Value {
    let response = &body["subsonic-response"];
    assert_eq!(response["status"], "ok", "{body}");
    response
}

/// The error code of a failed answer (panics on success).
pub fn error_code(body: &Value) -> &Value {
    assert_eq!(body["subsonic-response"]["status"], "failed", "{body}");
    &body["subsonic-response"]["error"]["code"]
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

/// `key` of every item of a list (none for a missing list).
pub fn names(items: &Value, key: &str) -> Vec<String> {
    items
        .as_array()
        .map(|items| {
            items
                .iter()
                .map(|item| item[key].as_str().expect("a name").to_owned())
                .collect()
        })
        .unwrap_or_default()
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
