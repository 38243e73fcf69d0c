//! The release binaries of catalog-service, stream-service and the gateway
//! as child processes, on free ports, with a schema, a Redis prefix and a
//! music folder of the benchmark's own.

use std::{
    path::{Path, PathBuf},
    process::Stdio,
    time::{Duration, Instant},
};

use anyhow::{Context as _, bail};
use common::test_support::{free_port, gateway::session_cookie};
use tokio::process::{Child, Command};

use crate::{Args, Result};

const PASSWORD: &str = "bench-subsonic-password";
const TOKEN: &str = "bench-subsonic-internal-token";

/// One running service.
pub struct Process {
    pub name: &'static str,
    pub child: Child,
    pub pid: u32,
}

/// The running system.
pub struct System {
    pub schema: String,
    pub music: PathBuf,
    pub gateway: String,
    pub processes: Vec<Process>,
    cookie: String,
}

fn binary(name: &str) -> Result<PathBuf> {
    let exe = std::env::current_exe()?;
    let path = exe
        .parent()
        .and_then(Path::parent)
        .map(|dir| dir.join(name))
        .context("locating the release binaries")?;
    if !path.exists() {
        bail!(
            "{} is missing: build it with cargo build --release -p {name}",
            path.display()
        );
    }
    Ok(path)
}

fn spawn(name: &'static str, envs: &[(&str, String)]) -> Result<Process> {
    let mut command = Command::new(binary(name)?);
    command
        .envs(envs.iter().map(|(key, value)| (*key, value.as_str())))
        .env("TONEARM_INTERNAL_TOKEN", TOKEN)
        .env("TONEARM_LOG", "warn")
        .env("TONEARM_LOG_FORMAT", "json")
        .stdout(Stdio::null())
        .kill_on_drop(true);
    let child = command.spawn().with_context(|| format!("starting {name}"))?;
    let pid = child.id().context("a child's pid")?;
    Ok(Process { name, child, pid })
}

/// Waits until `url` + `probe` answers 2xx.
async fn wait_ready(url: &str, probe: &str, what: &str) -> Result {
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if client
            .get(format!("{url}{probe}"))
            .send()
            .await
            .is_ok_and(|response| response.status().is_success())
        {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    bail!("{what} did not become ready within 60 s")
}

impl System {
    /// Starts the three services (the catalog first: it creates the schema).
    /// A service that fails to start leaves nothing behind.
    pub async fn start(_args: &Args) -> Result<Self> {
        let id = uuid::Uuid::new_v4().simple().to_string();
        let schema = format!("bench_subsonic_{id}");
        let music = std::env::temp_dir().join(format!("tonearm-bench-subsonic-{id}"));
        std::fs::create_dir_all(&music)?;
        let started = Self::launch(&id, schema.clone(), music.clone()).await;
        if started.is_err() {
            let _ = crate::schema::drop(&schema).await;
            let _ = std::fs::remove_dir_all(&music);
        }
        started
    }

    async fn launch(id: &str, schema: String, music: PathBuf) -> Result<Self> {
        let music_text = music.display().to_string();
        let (catalog_port, stream_port, gateway_port) = (free_port(), free_port(), free_port());
        let catalog_url = format!("http://127.0.0.1:{catalog_port}");
        let stream_url = format!("http://127.0.0.1:{stream_port}");
        let mut processes = vec![spawn(
            "catalog-service",
            &[
                ("TONEARM_CATALOG_PORT", catalog_port.to_string()),
                ("TONEARM_DATABASE_SCHEMA", schema.clone()),
                ("TONEARM_MUSIC_DIRS", music_text.clone()),
                ("TONEARM_SCAN_ON_START", "false".into()),
                ("TONEARM_WATCH", "false".into()),
            ],
        )?];
        wait_ready(&catalog_url, "/readyz", "catalog-service").await?;
        processes.push(spawn(
            "stream-service",
            &[
                ("TONEARM_STREAM_PORT", stream_port.to_string()),
                ("TONEARM_DATABASE_SCHEMA", schema.clone()),
                ("TONEARM_MUSIC_DIRS", music_text),
            ],
        )?);
        wait_ready(&stream_url, "/readyz", "stream-service").await?;
        processes.push(spawn(
            "gateway",
            &[
                ("TONEARM_GATEWAY_PORT", gateway_port.to_string()),
                ("TONEARM_CATALOG_URL", catalog_url.clone()),
                ("TONEARM_STREAM_URL", stream_url),
                // No events service: the methods measured do not use it.
                ("TONEARM_EVENTS_URL", catalog_url),
                ("TONEARM_DATABASE_SCHEMA", schema.clone()),
                ("TONEARM_REDIS_PREFIX", format!("bench:subsonic:{id}:")),
                ("TONEARM_ADMIN_PASSWORD", PASSWORD.into()),
            ],
        )?);
        let gateway = format!("http://127.0.0.1:{gateway_port}");
        // Its readiness includes the events service, which is not started.
        wait_ready(&gateway, "/healthz", "the gateway").await?;
        let mut system = Self {
            schema,
            music,
            gateway,
            processes,
            cookie: String::new(),
        };
        system.cookie = system.sign_in().await?;
        Ok(system)
    }

    /// An HTTP client sized for the benchmark's clients.
    pub fn client(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .pool_max_idle_per_host(256)
            .build()
            .unwrap_or_default()
    }

    pub fn cookie(&self) -> &str {
        &self.cookie
    }

    /// The pid of one service.
    pub fn pid(&self, name: &str) -> Option<u32> {
        self.processes.iter().find(|p| p.name == name).map(|p| p.pid)
    }

    async fn sign_in(&self) -> Result<String> {
        let response = reqwest::Client::new()
            .post(format!("{}/api/auth/login", self.gateway))
            .json(&serde_json::json!({ "username": "admin", "password": PASSWORD }))
            .send()
            .await?;
        session_cookie(response.headers()).context("no session cookie from the gateway")
    }

    /// A new API key for the admin (the cheapest Subsonic authentication).
    pub async fn api_key(&self, client: &reqwest::Client) -> Result<String> {
        let created: serde_json::Value = client
            .post(format!("{}/api/auth/api-keys", self.gateway))
            .header("cookie", &self.cookie)
            .json(&serde_json::json!({ "name": "bench" }))
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        Ok(created["key"].as_str().context("an API key")?.to_owned())
    }

    /// Stops the services and removes the schema and the music folder.
    pub async fn stop(mut self) {
        for process in &mut self.processes {
            let _ = process.child.kill().await;
        }
        if let Err(error) = crate::schema::drop(&self.schema).await {
            eprintln!("could not drop {}: {error:#}", self.schema);
        }
        let _ = std::fs::remove_dir_all(&self.music);
    }
}

/// CPU seconds a process has used so far (user + system), from
/// `/proc/<pid>/stat` (clock ticks of 1/100 s).
pub fn cpu_seconds(pid: u32) -> f64 {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return 0.0;
    };
    // Fields after the command name (which may hold spaces), from field 3.
    let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks = |index: usize| {
        fields
            .get(index)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // utime and stime are fields 14 and 15: 11 and 12 after the state.
    (ticks(11) + ticks(12)) / 100.0
}

/// CPU seconds of every process named `name` (PostgreSQL's backends and
/// its own processes: `postgres`), as of now.
pub fn cpu_seconds_named(name: &str) -> f64 {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return 0.0;
    };
    entries
        .flatten()
        .filter_map(|entry| entry.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            std::fs::read_to_string(format!("/proc/{pid}/comm")).is_ok_and(|comm| comm.trim() == name)
        })
        .map(cpu_seconds)
        .sum()
}

/// CPU seconds of the processes a latency run loads, in the order printed:
/// the gateway, catalog-service, PostgreSQL, Redis and this client.
pub fn cpu_split(system: &System) -> [f64; 5] {
    [
        cpu_seconds(system.pid("gateway").unwrap_or(0)),
        cpu_seconds(system.pid("catalog-service").unwrap_or(0)),
        cpu_seconds_named("postgres"),
        cpu_seconds_named("redis-server"),
        cpu_seconds(std::process::id()),
    ]
}
