//! `cargo xtask bench gateway`: the same load, in the same run, with the
//! same client, sent straight to a stand-in service and through the real
//! gateway binary in front of it. Prints added latency (p50/p99) of a
//! catalog-sized JSON request, the streaming throughput ratio of a large
//! body, and the gateway's resident memory while it relays 1,000 streams.
//!
//! Usage: tonearm-bench-gateway <path of the release gateway binary>
//! (PostgreSQL and Redis from the usual TONEARM_* settings or defaults).

mod fixture;
mod load;

use std::{process::Stdio, time::Duration};

type Result<T = ()> = std::result::Result<T, Box<dyn std::error::Error + Send + Sync>>;

const PASSWORD: &str = "bench-password-1";

#[tokio::main]
async fn main() -> Result {
    let binary = std::env::args()
        .nth(1)
        .ok_or("usage: tonearm-bench-gateway <gateway binary>")?;
    let upstream = fixture::start()?;
    let port = free_port()?;
    let id = std::process::id();
    let mut child = tokio::process::Command::new(&binary)
        .env("TONEARM_GATEWAY_PORT", port.to_string())
        .env("TONEARM_CATALOG_URL", &upstream)
        .env("TONEARM_STREAM_URL", &upstream)
        .env("TONEARM_EVENTS_URL", &upstream)
        .env("TONEARM_DATABASE_SCHEMA", format!("bench_gateway_{id}"))
        .env("TONEARM_REDIS_PREFIX", format!("bench:gateway:{id}:"))
        .env("TONEARM_ADMIN_PASSWORD", PASSWORD)
        .env("TONEARM_INTERNAL_TOKEN", "bench")
        // Lets the run also measure a request without a session lookup.
        .env("TONEARM_ALLOW_ANONYMOUS", "true")
        .env("TONEARM_LOG", "warn")
        .env("TONEARM_LOG_FORMAT", "json")
        .stdout(Stdio::null())
        .kill_on_drop(true)
        .spawn()?;
    let gateway = format!("http://127.0.0.1:{port}");
    let client = load::client()?;
    wait_until_up(&client, &gateway).await?;
    let cookie = sign_in(&client, &gateway).await?;
    let pid = child.id().ok_or("the gateway exited")?;

    println!("Tonearm gateway benchmark (stand-in service at {upstream}, gateway at {gateway})");
    latency(&client, &upstream, &gateway, &cookie).await?;
    throughput(&client, &upstream, &gateway, &cookie).await?;
    memory(&gateway, &cookie, pid).await?;
    child.kill().await?;
    Ok(())
}

fn free_port() -> Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

async fn wait_until_up(client: &reqwest::Client, gateway: &str) -> Result {
    for _ in 0..200 {
        if let Ok(response) = client.get(format!("{gateway}/healthz")).send().await
            && response.status().is_success()
        {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Err("the gateway did not start within 20 s".into())
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

async fn throughput(client: &reqwest::Client, direct: &str, gateway: &str, cookie: &str) -> Result {
    const SIZE: u64 = 1 << 30;
    let path = format!("/api/stream/big?size={SIZE}");
    let straight = load::download(client, &format!("{direct}{path}"), None, SIZE).await?;
    let through = load::download(client, &format!("{gateway}{path}"), Some(cookie), SIZE).await?;
    println!("\nstreaming one 1 GiB body:");
    println!("  direct   {straight:.0} MiB/s");
    println!("  gateway  {through:.0} MiB/s");
    println!("  ratio    {:.2}   (target >= 0.9)", through / straight);
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
