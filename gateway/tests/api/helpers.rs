//! Starts the real gateway on port 0 with its own PostgreSQL schema and
//! Redis prefix, in front of the stand-in services of [`crate::fixtures`].

use std::time::Duration;

use common::test_support::gateway as accounts;
use gateway::{Application, GatewaySettings, settings::RawGatewaySettings};
use reqwest::{Method, Url};

use crate::fixtures::{self, Upstream};

pub const ADMIN_PASSWORD: &str = "admin-password-1";
pub const INTERNAL_TOKEN: &str = "test-internal-token";
/// The test client's address, trusted as a proxy by tests that forward.
pub const LOOPBACK: &str = "127.0.0.1";

/// A running gateway.
pub struct TestApp {
    pub address: String,
    pub port: u16,
    /// The operators' listener (`/metrics`, detailed `/readyz`).
    pub ops_port: u16,
    pub client: reqwest::Client,
    pub upstream: Upstream,
    pub schema: String,
    pub redis_prefix: String,
}

/// Options for one test.
pub struct Options {
    pub allow_anonymous: bool,
    /// Catalog URLs; the fixture when empty.
    pub catalog: Vec<String>,
    /// Stream and events URLs (the events one for the API and `/ws`); the
    /// fixture when `None`.
    pub stream: Option<String>,
    pub events: Option<String>,
    pub tweak: fn(&mut RawGatewaySettings),
}

impl Default for Options {
    fn default() -> Self {
        Self {
            allow_anonymous: false,
            catalog: Vec::new(),
            stream: None,
            events: None,
            tweak: |_| {},
        }
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(Options::default()).await
}

pub async fn spawn_app_with(options: Options) -> TestApp {
    let (mut settings, id) = common::test_support::isolated_settings();
    let upstream = fixtures::spawn();
    let parse = |url: &str| Url::parse(url).expect("fixture url");
    settings.upstreams.catalog = if options.catalog.is_empty() {
        vec![parse(&upstream.url)]
    } else {
        options
            .catalog
            .iter()
            .map(|url| parse(if url.is_empty() { &upstream.url } else { url }))
            .collect()
    };
    settings.upstreams.stream = vec![parse(options.stream.as_deref().unwrap_or(&upstream.url))];
    let events = options.events.as_deref().unwrap_or(&upstream.url);
    settings.upstreams.events = vec![parse(events)];
    // The fixture serves /ws on its HTTP port; the events service has a
    // port of its own for it.
    settings.upstreams.events_ws =
        common::settings::socket_urls("events_ws_url", events).expect("socket url");
    let web_dir = std::env::temp_dir().join(format!("tonearm-gateway-web-{id}"));
    write_web_ui(&web_dir);
    let mut raw = RawGatewaySettings {
        allow_anonymous: options.allow_anonymous,
        admin_password: ADMIN_PASSWORD.into(),
        web_dir: web_dir.display().to_string(),
        gateway_timeout_ms: 1_000,
        gateway_connect_timeout_ms: 500,
        client_request_timeout_ms: 2_000,
        ..RawGatewaySettings::default()
    };
    (options.tweak)(&mut raw);
    let mut gateway_settings = GatewaySettings::try_from(raw).expect("valid gateway settings");
    gateway_settings.internal_token = INTERNAL_TOKEN.into();
    let app = Application::build_with(settings.clone(), gateway_settings)
        .await
        .expect("gateway builds");
    let port = app.port();
    let ops_port = app.ops_port();
    tokio::spawn(app.run_until_stopped());
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    TestApp {
        address: format!("http://127.0.0.1:{port}"),
        port,
        ops_port,
        client,
        upstream,
        schema: settings.database.schema,
        redis_prefix: settings.redis.prefix,
    }
}

fn write_web_ui(dir: &std::path::Path) {
    std::fs::create_dir_all(dir.join("assets")).expect("web dir");
    let page = format!(
        "<!doctype html><title>Tonearm</title>{}",
        "<p>music</p>".repeat(200)
    );
    std::fs::write(dir.join("index.html"), page).expect("index");
    std::fs::write(
        dir.join("assets/app-1a2b3c.js"),
        "console.log('tonearm');".repeat(200),
    )
    .expect("asset");
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// Signs in; returns the `Cookie` header value to send afterwards.
    pub async fn login(&self, username: &str, password: &str) -> String {
        accounts::sign_in(&self.client, &self.address, username, password).await
    }

    pub async fn admin_cookie(&self) -> String {
        self.login("admin", ADMIN_PASSWORD).await
    }

    /// Creates a user as admin and returns its id.
    pub async fn create_user(&self, admin: &str, username: &str, password: &str, role: &str) -> String {
        accounts::create_user(&self.client, &self.address, admin, (username, password, role)).await
    }

    /// `/api/auth/me` of the signed-in user.
    pub async fn me(&self, cookie: &str) -> serde_json::Value {
        let me = self.get("/api/auth/me", Some(cookie)).await;
        me.json().await.expect("json")
    }

    /// The signed-in user's id.
    pub async fn user_id(&self, cookie: &str) -> String {
        self.me(cookie).await["id"].as_str().expect("id").to_owned()
    }

    /// A PATCH of `/api/admin/users/{id}` as `admin`; returns the status.
    pub async fn change_user(&self, admin: &str, id: &str, change: serde_json::Value) -> u16 {
        let path = format!("/api/admin/users/{id}");
        let response = self.send(Method::PATCH, &path, Some(admin), Some(change)).await;
        response.status().as_u16()
    }

    /// Deletes user `id` as `admin`; returns the status.
    pub async fn delete_user(&self, admin: &str, id: &str) -> u16 {
        let path = format!("/api/admin/users/{id}");
        let response = self.send(Method::DELETE, &path, Some(admin), None).await;
        response.status().as_u16()
    }

    /// Sets the password of user `id` as `admin`; returns the status.
    pub async fn reset_password(&self, admin: &str, id: &str, password: &str) -> u16 {
        let path = format!("/api/admin/users/{id}/password");
        let body = serde_json::json!({ "password": password });
        let response = self.send(Method::POST, &path, Some(admin), Some(body)).await;
        response.status().as_u16()
    }

    /// A sign-in attempt, whatever it answers.
    pub async fn try_login(&self, username: &str, password: &str) -> reqwest::Response {
        let body = serde_json::json!({ "username": username, "password": password });
        self.send(Method::POST, "/api/auth/login", None, Some(body)).await
    }

    pub async fn get(&self, path: &str, cookie: Option<&str>) -> reqwest::Response {
        self.send(Method::GET, path, cookie, None).await
    }

    /// `method` on `path`, with the session `cookie` and a JSON `body` when given.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        cookie: Option<&str>,
        body: Option<serde_json::Value>,
    ) -> reqwest::Response {
        let mut request = self.client.request(method, self.url(path));
        if let Some(cookie) = cookie {
            request = request.header("cookie", cookie);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        request.send().await.expect("request")
    }
}

/// A connection to the test Redis.
pub async fn redis() -> redis::aio::MultiplexedConnection {
    redis::Client::open("redis://127.0.0.1:6379")
        .expect("client")
        .get_multiplexed_async_connection()
        .await
        .expect("redis")
}

/// A pool on the test's own schema.
pub async fn pool_for(schema: &str) -> sqlx::PgPool {
    let settings = common::Settings::load().expect("settings");
    let mut database = settings.database.clone();
    database.schema = schema.to_owned();
    common::db::lazy_pool(&database, 2).expect("pool")
}

/// The error code of a JSON error body.
pub async fn error_code(response: reqwest::Response) -> String {
    let body: serde_json::Value = response.json().await.expect("a JSON error body");
    body["error"]["code"].as_str().expect("an error code").to_owned()
}

/// Sends raw bytes and returns what came back (for paths an HTTP client
/// would normalise).
pub async fn raw_request(port: u16, request: &str) -> String {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .expect("connect");
    stream.write_all(request.as_bytes()).await.expect("write");
    let mut buffer = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut buffer)).await;
    String::from_utf8_lossy(&buffer).into_owned()
}

/// Polls `check` until it holds or the deadline passes.
pub async fn eventually(what: &str, mut check: impl FnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while !check() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
