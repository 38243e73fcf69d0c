//! `spawn_app()`: the real catalog on port 0 with its own PostgreSQL schema,
//! music folder and data folder, behind an internal token its client sends
//! on every request (as the gateway does).

use std::{path::Path, time::Duration};

use catalog_service::{
    Application,
    settings::{CatalogSettings, RawCatalogSettings},
};
use common::{fetch::RawFetchSettings, test_support::isolated_settings};
use reqwest::{
    Client, Response, StatusCode,
    header::{HeaderMap, HeaderValue},
};
use serde_json::Value;
use tempfile::TempDir;

/// The internal token every test app is started with.
pub const TOKEN: &str = "test-internal-token-0123456789";

pub struct TestApp {
    pub address: String,
    /// Sends the internal token, like the gateway.
    pub client: Client,
    pub music: TempDir,
    /// The catalog's data folder (`TONEARM_CATALOG_DATA_DIR`).
    pub data: TempDir,
    pub app: catalog_service::api::AppState,
}

/// Settings of a test app; adjust before [`spawn_app_with`].
pub struct Options {
    pub raw: RawCatalogSettings,
    pub allow_hosts: String,
    pub database_url: Option<String>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            raw: RawCatalogSettings {
                watch: false,
                scan_on_start: false,
                // Typo tolerance must not depend on how busy the test
                // machine is.
                search_timeout_ms: 10_000,
                ..RawCatalogSettings::default()
            },
            allow_hosts: String::new(),
            database_url: None,
        }
    }
}

/// An app whose music folder is filled by `fill` before the first scan,
/// which the app runs at start; returns once that scan is over.
pub async fn spawn_app_with_music(fill: impl FnOnce(&Path)) -> TestApp {
    spawn_app_with_music_and(Options::default(), fill).await
}

/// As [`spawn_app_with_music`], with settings.
pub async fn spawn_app_with_music_and(mut options: Options, fill: impl FnOnce(&Path)) -> TestApp {
    let music = TempDir::new().expect("a temp dir");
    fill(music.path());
    options.raw.scan_on_start = true;
    let app = spawn_in(music, options).await;
    app.wait_for_scan().await;
    app
}

/// The catalog with an empty music folder and the default test settings.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(Options::default()).await
}

pub async fn spawn_app_with(options: Options) -> TestApp {
    spawn_in(TempDir::new().expect("a temp dir"), options).await
}

async fn spawn_in(music: TempDir, mut options: Options) -> TestApp {
    let (mut settings, _) = isolated_settings();
    let database_down = options.database_url.is_some();
    if let Some(url) = options.database_url.take() {
        settings.database.url = url;
    }
    settings.internal_token = Some(TOKEN.into());
    let data = TempDir::new().expect("a temp dir");
    options.raw.music_dirs = music.path().display().to_string();
    options.raw.catalog_data_dir = data.path().join("catalog").display().to_string();
    let fetch = RawFetchSettings {
        fetch_allow_hosts: options.allow_hosts.clone(),
    };
    let catalog = CatalogSettings::validate(options.raw, fetch).expect("catalog settings");
    let app = Application::build_with(settings, catalog)
        .await
        .expect("the app builds");
    let address = format!("http://127.0.0.1:{}", app.port());
    let state = app.state().clone();
    tokio::spawn(app.run_until_stopped());
    let mut headers = HeaderMap::new();
    headers.insert("x-tonearm-internal-token", HeaderValue::from_static(TOKEN));
    let client = Client::builder()
        .default_headers(headers)
        .build()
        .expect("a client");
    let test_app = TestApp {
        address,
        client,
        music,
        data,
        app: state,
    };
    if !database_down {
        test_app
            .wait_until(|| async { test_app.app.migrated.is_done() })
            .await;
    }
    test_app
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}/api/catalog/{path}", self.address)
    }

    pub async fn get(&self, path: &str) -> Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("request sent")
    }

    /// GET answering 200 with JSON.
    pub async fn get_json(&self, path: &str) -> Value {
        let response = self.get(path).await;
        assert_eq!(response.status(), StatusCode::OK, "GET {path}");
        response.json().await.expect("JSON body")
    }

    pub async fn admin_post(&self, path: &str, body: Option<Value>) -> Response {
        let mut request = self.client.post(self.url(path)).header("x-tonearm-role", "admin");
        if let Some(body) = body {
            request = request.json(&body);
        }
        request.send().await.expect("request sent")
    }

    pub async fn admin_get(&self, path: &str) -> Response {
        self.client
            .get(self.url(path))
            .header("x-tonearm-role", "admin")
            .send()
            .await
            .expect("request sent")
    }

    /// Starts a scan and waits for its end; answers its final progress.
    pub async fn scan(&self) -> Value {
        let response = self.admin_post("scans", None).await;
        assert_eq!(response.status(), StatusCode::ACCEPTED);
        self.wait_for_scan().await
    }

    /// Waits until no scan runs; answers the last scan's progress.
    pub async fn wait_for_scan(&self) -> Value {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        loop {
            if !self.app.scanner.is_running()
                && let Some(progress) = self.app.scanner.current()
            {
                return serde_json::to_value(catalog_service::api::dto::ScanProgress::from(&progress))
                    .expect("progress serialises");
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "the scan did not end in time"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Polls `condition` every 20 ms for up to 10 s.
    pub async fn wait_until<F, Fut>(&self, condition: F)
    where
        F: Fn() -> Fut,
        Fut: std::future::Future<Output = bool>,
    {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        while !condition().await {
            assert!(
                tokio::time::Instant::now() < deadline,
                "condition not met in time"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Every song title, in the default order.
    pub async fn titles(&self, query: &str) -> Vec<String> {
        let page = self.get_json(&format!("songs?limit=500&{query}")).await;
        page["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|song| song["title"].as_str().expect("a title").to_owned())
            .collect()
    }

    /// Asserts a JSON error answer with `status` and `code`; answers its message.
    pub async fn expect_error(response: Response, status: StatusCode, code: &str) -> String {
        assert_eq!(response.status(), status);
        let body: Value = response.json().await.expect("JSON error body");
        assert_eq!(body["error"]["code"], code, "{body}");
        body["error"]["message"].as_str().expect("a message").to_owned()
    }
}
