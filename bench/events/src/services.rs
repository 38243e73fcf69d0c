//! Starts the release binaries of events-service and stats-consumer as
//! child processes on free loopback ports, with their own topic, Redis
//! prefix and consumer group, and measures their memory.

use std::{
    net::TcpListener,
    path::{Path, PathBuf},
    process::Stdio,
    time::{Duration, Instant},
};

use anyhow::{Context as _, bail};
use tokio::process::{Child, Command};

/// Names shared by the processes of one run.
#[derive(Debug, Clone)]
pub struct Isolation {
    pub topic: String,
    pub prefix: String,
    pub brokers: String,
    pub redis_url: String,
    pub spool_dir: PathBuf,
}

impl Isolation {
    pub fn new(brokers: &str, redis_url: &str) -> Self {
        let id = uuid::Uuid::new_v4().simple().to_string();
        Self {
            topic: format!("tonearm.player-events.bench-{id}"),
            prefix: format!("bench:{id}:"),
            brokers: brokers.to_owned(),
            redis_url: redis_url.to_owned(),
            spool_dir: std::env::temp_dir().join(format!("tonearm-bench-spool-{id}")),
        }
    }
}

pub struct Service {
    pub child: Child,
    /// The HTTP port (`/readyz`, `/api/events/*`).
    pub port: u16,
    /// events-service's WebSocket port (`/ws`); unused by stats-consumer.
    pub ws_port: u16,
}

pub fn free_port() -> anyhow::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// The internal token the bench's services share with its clients.
pub const TOKEN: &str = "bench-events-internal-token";

impl Service {
    /// Starts `binary` with the isolation settings plus `extra` variables.
    pub async fn start(
        binary: &Path,
        port_var: &str,
        isolation: &Isolation,
        extra: &[(&str, String)],
    ) -> anyhow::Result<Self> {
        let port = free_port()?;
        let ws_port = free_port()?;
        let mut command = Command::new(binary);
        command
            .env(port_var, port.to_string())
            .env("TONEARM_EVENTS_WS_PORT", ws_port.to_string())
            .env("TONEARM_EVENTS_TOPIC", &isolation.topic)
            .env("TONEARM_REDIS_PREFIX", &isolation.prefix)
            .env("TONEARM_KAFKA_BROKERS", &isolation.brokers)
            .env("TONEARM_REDIS_URL", &isolation.redis_url)
            .env("TONEARM_EVENTS_SPOOL_DIR", &isolation.spool_dir)
            .env("TONEARM_INTERNAL_TOKEN", TOKEN)
            // Every bench socket comes from loopback, far over the per-address cap.
            .env("TONEARM_EVENTS_MAX_SOCKETS_PER_ADDRESS", "1000000")
            .env("TONEARM_EVENTS_MAX_SOCKETS_PER_USER", "1000000")
            // No catalog runs in this bench: plays are accepted unchecked.
            .env("TONEARM_CATALOG_URL", "http://127.0.0.1:9")
            .env(
                "TONEARM_LOG",
                std::env::var("BENCH_CHILD_LOG").unwrap_or_else(|_| "warn".into()),
            )
            .env("TONEARM_LOG_FORMAT", "json")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .kill_on_drop(true);
        for (name, value) in extra {
            command.env(name, value);
        }
        let child = command
            .spawn()
            .with_context(|| format!("starting {}", binary.display()))?;
        let service = Self { child, port, ws_port };
        service.wait_ready().await?;
        Ok(service)
    }

    async fn wait_ready(&self) -> anyhow::Result<()> {
        let client = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let url = format!("http://127.0.0.1:{}/readyz", self.port);
            if let Ok(response) = client.get(&url).send().await
                && response.status().is_success()
            {
                return Ok(());
            }
            if Instant::now() > deadline {
                bail!("the service on port {} never became ready", self.port);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Resident memory in bytes.
    pub fn rss_bytes(&self) -> anyhow::Result<u64> {
        let pid = self.child.id().context("the process has exited")?;
        let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
        let kib = status
            .lines()
            .find_map(|line| line.strip_prefix("VmRSS:"))
            .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            .context("reading VmRSS")?;
        Ok(kib * 1024)
    }

    pub async fn stop(mut self) {
        if let Some(pid) = self.child.id() {
            // SIGTERM: a clean stop.
            let _ = Command::new("kill").arg(pid.to_string()).status().await;
        }
        let _ = tokio::time::timeout(Duration::from_secs(15), self.child.wait()).await;
    }
}

/// Sum of the next offsets the consumer stored in Redis.
pub async fn folded(redis: &mut redis::aio::MultiplexedConnection, prefix: &str) -> anyhow::Result<i64> {
    let offsets: std::collections::BTreeMap<i32, i64> = redis::cmd("HGETALL")
        .arg(format!("{prefix}consumer:offsets"))
        .query_async(redis)
        .await?;
    Ok(offsets.values().sum())
}

/// A private tansu broker (SQLite store in a temp dir) on a free port, so
/// the benchmark neither disturbs nor is disturbed by the shared broker.
pub struct PrivateBroker {
    child: Child,
    dir: PathBuf,
    pub brokers: String,
}

impl PrivateBroker {
    pub async fn start(tansu: &Path) -> anyhow::Result<Self> {
        let port = free_port()?;
        let dir = std::env::temp_dir().join(format!("tonearm-bench-tansu-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir)?;
        let url = format!("tcp://127.0.0.1:{port}");
        let child = Command::new(tansu)
            .args([
                "broker",
                "--listener-url",
                &url,
                "--advertised-listener-url",
                &url,
            ])
            .args(["--storage-engine", "sqlite://tansu.db"])
            .current_dir(&dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("starting {}", tansu.display()))?;
        let deadline = Instant::now() + Duration::from_secs(20);
        while tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_err() {
            if Instant::now() > deadline {
                bail!("tansu did not listen on {port}");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Ok(Self {
            child,
            dir,
            brokers: format!("127.0.0.1:{port}"),
        })
    }

    pub async fn stop(mut self) {
        let _ = self.child.kill().await;
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
