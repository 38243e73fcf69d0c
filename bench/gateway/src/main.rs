//! `cargo xtask bench gateway`: the same load, in the same run, with the
//! same client, sent straight to a service and through the real gateway
//! binary in front of it. Prints added latency (p50/p99) of a catalog-sized
//! JSON request, the streaming throughput ratio of a 1 GiB body (from an
//! in-memory stand-in, with nginx as a reverse proxy for reference, and
//! from the real stream-service reading a real file), and the gateway's
//! resident memory while it relays 1,000 streams.
//!
//! Usage: tonearm-bench-gateway <gateway binary> [--stream-service <binary>]
//! [--only latency,streaming,service,memory] [--rounds N] [--force]
//! It refuses to measure when the one-minute load average is above 1.5,
//! unless `--force`, which labels the figures as taken on a loaded machine.
//! (PostgreSQL and Redis from the usual TONEARM_* settings or defaults).

mod fixture;
mod load;
mod nginx;
mod service;
mod streaming;

use std::{path::PathBuf, process::Stdio, time::Duration};

type Result<T = ()> = std::result::Result<T, Box<dyn std::error::Error + Send + Sync>>;

const PASSWORD: &str = "bench-password-1";
/// The internal token of the gateway and the real stream-service (services
/// refuse tokens under 16 characters); the client sends it on every request
/// so the services can also be reached directly.
const TOKEN: &str = "bench-gateway-internal-token";
const MAX_LOAD: f64 = 1.5;
const SECTIONS: [&str; 4] = ["latency", "streaming", "service", "memory"];
const USAGE: &str = "usage: tonearm-bench-gateway <gateway binary> [--stream-service <binary>] \
                     [--only latency,streaming,service,memory] [--rounds N] [--force]";

/// The command line.
struct Args {
    gateway: PathBuf,
    stream_service: Option<PathBuf>,
    only: Option<Vec<String>>,
    rounds: usize,
    force: bool,
}

impl Args {
    fn parse() -> Result<Self> {
        let mut args = std::env::args().skip(1);
        let gateway = args.next().ok_or(USAGE)?.into();
        let mut parsed = Self {
            gateway,
            stream_service: None,
            only: None,
            rounds: 5,
            force: false,
        };
        while let Some(flag) = args.next() {
            if flag == "--force" {
                parsed.force = true;
                continue;
            }
            let value = args.next().ok_or(USAGE)?;
            match flag.as_str() {
                "--stream-service" => parsed.stream_service = Some(value.into()),
                "--only" => {
                    let only: Vec<String> = value.split(',').map(str::to_owned).collect();
                    if let Some(unknown) = only.iter().find(|name| !SECTIONS.contains(&name.as_str())) {
                        return Err(format!("unknown section {unknown:?}; {USAGE}").into());
                    }
                    parsed.only = Some(only);
                }
                "--rounds" => parsed.rounds = value.parse().map_err(|_| USAGE)?,
                _ => return Err(USAGE.into()),
            }
        }
        Ok(parsed)
    }

    fn wants(&self, section: &str) -> bool {
        self.only
            .as_ref()
            .is_none_or(|only| only.iter().any(|name| name == section))
    }
}

#[tokio::main]
async fn main() -> Result {
    let args = Args::parse()?;
    let loaded = check_load(args.force)?;
    let upstream = fixture::start()?;
    let (mut child, gateway) = spawn_gateway(&args.gateway, &upstream, &upstream)?;
    let client = load::client()?;
    wait_until_up(&gateway, "/healthz", "the gateway").await?;
    let cookie = sign_in(&client, &gateway).await?;
    let pid = child.id().ok_or("the gateway exited")?;

    println!("Tonearm gateway benchmark (stand-in service at {upstream}, gateway at {gateway})");
    println!("load average at the start: {} (limit {MAX_LOAD})", load_average());
    if let Some(load) = loaded {
        println!(
            "!! --force: every figure below was taken on a loaded machine (load {load}) and is not a valid result"
        );
    }
    if args.wants("latency") {
        latency(&client, &upstream, &gateway, &cookie).await?;
    }
    if args.wants("streaming") {
        streaming::stand_in(&client, &upstream, (&gateway, pid), &cookie, args.rounds).await?;
    }
    if args.wants("service") {
        match &args.stream_service {
            Some(binary) => {
                streaming::real_service(&client, binary, &args.gateway, &upstream, &cookie, args.rounds)
                    .await?
            }
            None => println!("\n(the real stream-service run needs --stream-service <binary>)"),
        }
    }
    if args.wants("memory") {
        memory(&gateway, &cookie, pid).await?;
    }
    // For information only: the benchmark itself keeps the cores busy, so
    // only the load at the start is held to the limit.
    println!(
        "\nload average at the end: {} (raised by the benchmark itself)",
        load_average()
    );
    child.kill().await?;
    // The gateways' own schema (users, sessions), created at their start.
    service::psql(
        &service::database_url(),
        &format!(
            "DROP SCHEMA IF EXISTS bench_gateway_{} CASCADE",
            std::process::id()
        ),
    )?;
    Ok(())
}

/// Starts the gateway binary in front of `upstream` (catalog and events)
/// and `stream`; returns the child and its base URL.
fn spawn_gateway(
    binary: &std::path::Path,
    upstream: &str,
    stream: &str,
) -> Result<(tokio::process::Child, String)> {
    let port = free_port()?;
    let id = std::process::id();
    let child = tokio::process::Command::new(binary)
        .env("TONEARM_GATEWAY_PORT", port.to_string())
        .env("TONEARM_CATALOG_URL", upstream)
        .env("TONEARM_STREAM_URL", stream)
        .env("TONEARM_EVENTS_URL", upstream)
        .env("TONEARM_DATABASE_SCHEMA", format!("bench_gateway_{id}"))
        .env("TONEARM_REDIS_PREFIX", format!("bench:gateway:{id}:"))
        .env("TONEARM_ADMIN_PASSWORD", PASSWORD)
        .env("TONEARM_INTERNAL_TOKEN", TOKEN)
        // Lets the run also measure a request without a session lookup.
        .env("TONEARM_ALLOW_ANONYMOUS", "true")
        .env("TONEARM_LOG", "warn")
        .env("TONEARM_LOG_FORMAT", "json")
        .stdout(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .map_err(|error| format!("starting {}: {error}", binary.display()))?;
    Ok((child, format!("http://127.0.0.1:{port}")))
}

fn free_port() -> Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// Refuses to measure above [`MAX_LOAD`] unless forced; returns the load
/// when the figures are to be labelled as taken on a loaded machine.
fn check_load(force: bool) -> Result<Option<f64>> {
    let load: f64 = load_average()
        .split_whitespace()
        .next()
        .and_then(|first| first.parse().ok())
        .unwrap_or(0.0);
    match (load > MAX_LOAD, force) {
        (false, _) => Ok(None),
        (true, true) => Ok(Some(load)),
        (true, false) => Err(format!(
            "refusing to measure: the load average {load} is above {MAX_LOAD}, so other work would \
             set the figures; run on a quiet machine, or with --force to label them as loaded"
        )
        .into()),
    }
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|line| line.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

/// Waits until `base` + `path` answers 2xx (20 s at most).
async fn wait_until_up(base: &str, path: &str, what: &str) -> Result {
    let client = reqwest::Client::new();
    for _ in 0..200 {
        if let Ok(response) = client.get(format!("{base}{path}")).send().await
            && response.status().is_success()
        {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Err(format!("{what} did not start within 20 s").into())
}

async fn sign_in(client: &reqwest::Client, gateway: &str) -> Result<String> {
    let response = client
        .post(format!("{gateway}/api/auth/login"))
        .json(&serde_json::json!({"username": "admin", "password": PASSWORD}))
        .send()
        .await?;
    let cookie = response
        .headers()
        .get("set-cookie")
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .ok_or("no session cookie: does the benchmark schema already have another admin password?")?;
    Ok(cookie.to_owned())
}

async fn latency(client: &reqwest::Client, direct: &str, gateway: &str, cookie: &str) -> Result {
    const REQUESTS: usize = 5_000;
    let path = "/api/catalog/songs?limit=20";
    load::latencies(client, &format!("{direct}{path}"), None, 500).await?;
    load::latencies(client, &format!("{gateway}{path}"), Some(cookie), 500).await?;
    let straight = load::latencies(client, &format!("{direct}{path}"), None, REQUESTS).await?;
    let through = load::latencies(client, &format!("{gateway}{path}"), Some(cookie), REQUESTS).await?;
    let anonymous = load::latencies(client, &format!("{gateway}{path}"), None, REQUESTS).await?;
    let (p50a, p99a) = (
        load::percentile(&straight, 50.0),
        load::percentile(&straight, 99.0),
    );
    let (p50b, p99b) = (load::percentile(&through, 50.0), load::percentile(&through, 99.0));
    println!("\ncatalog request, {REQUESTS} sequential requests each way (ms):");
    println!("  direct   p50 {p50a:.3}  p99 {p99a:.3}");
    println!("  gateway  p50 {p50b:.3}  p99 {p99b:.3}");
    println!(
        "  added    p50 {:.3}  p99 {:.3}   (target p50 < 0.5)",
        p50b - p50a,
        p99b - p99a
    );
    let (p50c, p99c) = (
        load::percentile(&anonymous, 50.0),
        load::percentile(&anonymous, 99.0),
    );
    println!("  gateway without a session (no Redis lookup)  p50 {p50c:.3}  p99 {p99c:.3}");
    Ok(())
}

async fn memory(gateway: &str, cookie: &str, pid: u32) -> Result {
    const STREAMS: usize = 1_000;
    let before = load::rss_kib(pid)?;
    let url = format!("{gateway}/api/stream/trickle");
    let (held, stop) = load::hold_streams(&url, cookie, STREAMS).await?;
    let during = load::rss_kib(pid)?;
    drop(stop);
    println!("\ngateway resident memory:");
    println!("  idle                      {:.1} MiB", before as f64 / 1024.0);
    println!("  with {held} open streams   {:.1} MiB", during as f64 / 1024.0);
    Ok(())
}
