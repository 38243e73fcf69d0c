//! The catalog service as a separate process, so its own memory is measured.

use std::{
    net::TcpListener,
    path::Path,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use anyhow::{Context as _, bail};
use serde_json::Value;

/// The internal token the benchmark's service is started with.
const TOKEN: &str = "catalog-bench-internal-token-0123456789";

pub struct Service {
    child: Child,
    pub base: String,
    pub client: reqwest::Client,
}

impl Service {
    /// Starts `catalog-service` (next to this benchmark's binary) on a free
    /// port with its own schema, and waits until it is ready.
    pub async fn start(schema: &str, music: &Path) -> anyhow::Result<Self> {
        let exe = std::env::current_exe()?;
        let binary = exe
            .parent()
            .and_then(Path::parent)
            .map(|dir| dir.join("catalog-service"))
            .context("locating catalog-service")?;
        if !binary.exists() {
            bail!(
                "{} is missing: build it with cargo build --release -p catalog-service",
                binary.display()
            );
        }
        let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let child = Command::new(binary)
            .env("TONEARM_CATALOG_PORT", port.to_string())
            .env("TONEARM_DATABASE_SCHEMA", schema)
            .env("TONEARM_MUSIC_DIRS", music)
            .env("TONEARM_SCAN_ON_START", "false")
            .env("TONEARM_WATCH", "true")
            .env("TONEARM_LOG", "warn")
            .env("TONEARM_LOG_FORMAT", "json")
            .env("TONEARM_INTERNAL_TOKEN", TOKEN)
            .stdout(Stdio::null())
            .spawn()
            .context("starting catalog-service")?;
        // Identity headers are only believed with the internal token, as the gateway sends it.
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(
            common::identity::TOKEN_HEADER,
            reqwest::header::HeaderValue::from_static(TOKEN),
        );
        let service = Self {
            child,
            base: format!("http://127.0.0.1:{port}"),
            client: reqwest::Client::builder()
                .pool_max_idle_per_host(64)
                .default_headers(headers)
                .build()?,
        };
        service.wait_ready().await?;
        Ok(service)
    }

    async fn wait_ready(&self) -> anyhow::Result<()> {
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            let ready = self.client.get(format!("{}/readyz", self.base)).send().await;
            if ready.is_ok_and(|response| response.status().is_success()) {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        bail!("catalog-service did not become ready")
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}/api/catalog/{path}", self.base)
    }

    pub async fn get(&self, path: &str) -> anyhow::Result<Value> {
        Ok(self
            .client
            .get(self.url(path))
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?)
    }

    /// Starts a scan and waits (polling every 5 ms) until it says it is done.
    pub async fn scan(&self) -> anyhow::Result<(Duration, Value)> {
        let started = Instant::now();
        self.client
            .post(self.url("scans"))
            .header("x-tonearm-role", "admin")
            .send()
            .await?
            .error_for_status()?;
        loop {
            let progress: Value = self
                .client
                .get(self.url("scans/current"))
                .header("x-tonearm-role", "admin")
                .send()
                .await?
                .json()
                .await?;
            if progress["state"] != "running" {
                return Ok((started.elapsed(), progress));
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }

    /// The service's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The time a finished scan took by its own account (`finished_at`
    /// minus `started_at`), without this client's polling.
    pub fn own_duration(progress: &Value) -> anyhow::Result<Duration> {
        let at = |field: &str| -> anyhow::Result<chrono::DateTime<chrono::Utc>> {
            let text = progress[field]
                .as_str()
                .with_context(|| format!("the scan's {field}"))?;
            Ok(chrono::DateTime::parse_from_rfc3339(text)?.to_utc())
        };
        Ok((at("finished_at")? - at("started_at")?).to_std()?)
    }

    /// Peak resident memory (VmHWM) of the service, in MiB.
    pub fn peak_rss_mib(&self) -> Option<f64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).ok()?;
        let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
        let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
        Some(kib / 1024.0)
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
