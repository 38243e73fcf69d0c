//! Benchmarks of Tonearm's live event path on loopback. Run by
//! `cargo xtask bench events`; see docs/events.md. Needs the release
//! binaries of events-service and stats-consumer, a broker and Redis.

mod broker;
mod clients;
mod services;

use std::{
    path::PathBuf,
    time::{Duration, Instant},
};

use anyhow::Context as _;

use services::{Isolation, Service, folded};

const SONG: &str = "0f8fad5b-d9cb-469f-a165-70867728950e";
const OTHER_SONG: &str = "7c9e6679-7425-40de-944b-e07fc1f90ae7";

struct Options {
    bin_dir: PathBuf,
    /// Empty: start a private tansu.
    brokers: String,
    tansu: PathBuf,
    redis: String,
    clients: usize,
    per_client: usize,
    connections: usize,
    listeners: usize,
    /// Skip the throughput runs (sections 1 and 2).
    latency_only: bool,
}

fn options() -> anyhow::Result<Options> {
    let target = std::env::var("CARGO_TARGET_DIR").unwrap_or_else(|_| "target".into());
    let mut options = Options {
        bin_dir: PathBuf::from(target).join("release"),
        brokers: String::new(),
        tansu: std::env::var_os("HOME")
            .map(PathBuf::from)
            .unwrap_or_default()
            .join(".cache/tonearm/tools/bin/tansu"),
        redis: "redis://127.0.0.1:6379".into(),
        clients: 50,
        per_client: 4000,
        connections: 10_000,
        listeners: 1000,
        latency_only: false,
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    for pair in args.chunks(2) {
        let value = pair
            .get(1)
            .with_context(|| format!("{} needs a value", pair[0]))?;
        match pair[0].as_str() {
            "--bin-dir" => options.bin_dir = PathBuf::from(value),
            "--brokers" => options.brokers = value.clone(),
            "--tansu" => options.tansu = PathBuf::from(value),
            "--redis" => options.redis = value.clone(),
            "--clients" => options.clients = value.parse()?,
            "--events-per-client" => options.per_client = value.parse()?,
            "--connections" => options.connections = value.parse()?,
            "--listeners" => options.listeners = value.parse()?,
            "--latency-only" => options.latency_only = value.parse()?,
            other => anyhow::bail!(
                "unknown option {other}; expected --bin-dir, --brokers, --tansu, --redis, --clients, \
                 --events-per-client, --connections, --listeners"
            ),
        }
    }
    Ok(options)
}

fn p99(mut values: Vec<Duration>) -> Duration {
    values.sort_unstable();
    values
        .get((values.len() * 99).div_ceil(100).saturating_sub(1))
        .copied()
        .unwrap_or_default()
}

fn line(name: &str, value: String, target: &str) {
    println!("{name:<48} {value:>14}   {target}");
}

async fn wait_folded(
    redis: &mut redis::aio::MultiplexedConnection,
    prefix: &str,
    total: u64,
) -> anyhow::Result<()> {
    let deadline = Instant::now() + Duration::from_secs(600);
    let mut last_report = Instant::now();
    loop {
        let done = folded(redis, prefix).await? as u64;
        if done >= total {
            return Ok(());
        }
        if last_report.elapsed() > Duration::from_secs(5) {
            eprintln!("folded {done} of {total}");
            last_report = Instant::now();
        }
        anyhow::ensure!(
            Instant::now() < deadline,
            "the consumer did not fold {total} events"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut options = options()?;
    let private = if options.brokers.is_empty() {
        let broker = services::PrivateBroker::start(&options.tansu).await?;
        options.brokers = broker.brokers.clone();
        Some(broker)
    } else {
        None
    };
    let isolation = Isolation::new(&options.brokers, &options.redis);
    let mut redis = redis::Client::open(options.redis.as_str())?
        .get_multiplexed_async_connection()
        .await
        .context("connecting to Redis")?;
    let group = format!("bench-{}", uuid::Uuid::new_v4().simple());
    let consumer = Service::start(
        &options.bin_dir.join("stats-consumer"),
        "TONEARM_STATS_PORT",
        &isolation,
        &[("TONEARM_STATS_GROUP", group)],
    )
    .await?;
    let events = Service::start(
        &options.bin_dir.join("events-service"),
        "TONEARM_EVENTS_PORT",
        &isolation,
        &[("TONEARM_EVENTS_RATE_LIMIT", "1000000000".into())],
    )
    .await?;
    println!("tonearm live-event benchmarks (2-core loopback; figures, then target)\n");

    if !options.latency_only {
        throughput(&options, &isolation, &mut redis, events.ws_port).await?;
    }
    latency(&options, &isolation, &mut redis, &events).await?;
    events.stop().await;
    consumer.stop().await;
    if let Some(broker) = private {
        broker.stop().await;
    }
    clean_up(&mut redis, &isolation.prefix).await
}

/// Deletes the run's keys (the refold's prefix is under the run's prefix).
async fn clean_up(redis: &mut redis::aio::MultiplexedConnection, prefix: &str) -> anyhow::Result<()> {
    let keys: Vec<String> = redis::cmd("KEYS")
        .arg(format!("{prefix}*"))
        .query_async(redis)
        .await?;
    for chunk in keys.chunks(1000) {
        redis::cmd("DEL").arg(chunk).query_async::<()>(redis).await?;
    }
    Ok(())
}

/// Sections 1 and 2: events per second, against the bare broker.
async fn throughput(
    options: &Options,
    isolation: &Isolation,
    redis: &mut redis::aio::MultiplexedConnection,
    port: u16,
) -> anyhow::Result<()> {
    // 1. End to end: sockets -> events-service -> broker -> stats-consumer -> Redis.
    let started = Instant::now();
    let refused = clients::blast(port, options.clients, options.per_client, SONG).await?;
    let total = (options.clients * (options.per_client + 3)) as u64 - refused;
    eprintln!(
        "sent in {:.1} s; waiting for the fold of {total} events",
        started.elapsed().as_secs_f64()
    );
    wait_folded(redis, &isolation.prefix, total).await?;
    if refused > 0 {
        println!("({refused} events were refused as overload and are not counted)");
    }
    let ours = total as f64 / started.elapsed().as_secs_f64();
    line(
        &format!("end to end, {} sockets, events/s", options.clients),
        format!("{ours:.0}"),
        &format!("target 50000 (x{:.2})", ours / 50_000.0),
    );
    let bare = total as f64
        / broker::produce_and_consume(&options.brokers, total, 260)
            .await?
            .as_secs_f64();
    line(
        "bare rdkafka producer + consumer, records/s",
        format!("{bare:.0}"),
        "",
    );
    line(
        "end to end / bare broker",
        format!("{:.2}", ours / bare),
        &format!("target 0.8 (x{:.2})", ours / bare / 0.8),
    );

    // 2. The consumer alone, folding the now pre-filled topic.
    let mut refold = isolation.clone();
    refold.prefix = format!("{}refold:", isolation.prefix);
    let started = Instant::now();
    let second = Service::start(
        &options.bin_dir.join("stats-consumer"),
        "TONEARM_STATS_PORT",
        &refold,
        &[(
            "TONEARM_STATS_GROUP",
            format!("bench-refold-{}", uuid::Uuid::new_v4().simple()),
        )],
    )
    .await?;
    wait_folded(redis, &refold.prefix, total).await?;
    let fold_rate = total as f64 / started.elapsed().as_secs_f64();
    second.stop().await;
    let (brokers, topic) = (options.brokers.clone(), isolation.topic.clone());
    let read = tokio::task::spawn_blocking(move || broker::consume(&brokers, &topic, total)).await??;
    let read_rate = total as f64 / read.as_secs_f64();
    line(
        "stats-consumer folding a pre-filled topic, events/s",
        format!("{fold_rate:.0}"),
        "",
    );
    line(
        "bare consumer reading it, records/s",
        format!("{read_rate:.0}"),
        "",
    );
    line("fold / bare read", format!("{:.2}", fold_rate / read_rate), "");
    Ok(())
}

/// Sections 3 to 5: memory per socket and push latencies.
async fn latency(
    options: &Options,
    isolation: &Isolation,
    redis: &mut redis::aio::MultiplexedConnection,
    events: &Service,
) -> anyhow::Result<()> {
    // 3. Many idle connections on one events-service.
    let before = events.rss_bytes()?;
    let crowd = clients::crowd(events.ws_port, options.connections).await?;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let after = events.rss_bytes()?;
    line(
        &format!("events-service RSS with {} sockets, MB", crowd.sockets),
        format!("{:.1}", after as f64 / 1e6),
        &format!("target < 150 (x{:.2})", after as f64 / 1e6 / 150.0),
    );
    line(
        "  per socket, KB",
        format!(
            "{:.1}",
            after.saturating_sub(before) as f64 / crowd.sockets as f64 / 1e3
        ),
        "",
    );

    // 4. One announcement reaching every socket.
    let mut crowd = crowd;
    let client = reqwest::Client::new();
    let mut delays = Vec::new();
    for _ in 0..3 {
        let sent = crowd.origin.elapsed().as_micros().to_string();
        client
            .post(format!(
                "http://127.0.0.1:{}/api/events/announcements",
                events.port
            ))
            .header("x-tonearm-role", "admin")
            .header("x-tonearm-internal-token", services::TOKEN)
            .json(&serde_json::json!({"text": sent}))
            .send()
            .await?
            .error_for_status()?;
        for _ in 0..crowd.sockets {
            let delay = tokio::time::timeout(Duration::from_secs(10), crowd.latencies.recv())
                .await
                .context("an announcement did not arrive within 10 s")?
                .context("crowd closed")?;
            delays.push(delay);
        }
    }
    let announce = p99(delays);
    line(
        &format!("announcement to {} sockets, p99 ms", crowd.sockets),
        format!("{:.1}", announce.as_secs_f64() * 1e3),
        &format!("target < 500 (x{:.2})", announce.as_secs_f64() * 1e3 / 500.0),
    );

    // 5. A stats change reaching the listeners of a song.
    let (sockets, _) = clients::listeners(events.ws_port, options.listeners, OTHER_SONG).await?;
    let key = format!("{}song:{OTHER_SONG}:plays", isolation.prefix);
    let deadline = Instant::now() + Duration::from_secs(60);
    while redis::cmd("GET")
        .arg(&key)
        .query_async::<Option<u64>>(redis)
        .await?
        .unwrap_or(0)
        < options.listeners as u64
    {
        anyhow::ensure!(Instant::now() < deadline, "listeners' plays were not folded");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mut trigger = clients::connect(events.ws_port, "trigger").await?;
    let since = Instant::now();
    futures_util::SinkExt::send(
        &mut trigger,
        tokio_tungstenite::tungstenite::Message::text(
            serde_json::json!({"type": "play", "song": OTHER_SONG}).to_string(),
        ),
    )
    .await?;
    let delays = clients::await_plays(sockets, options.listeners as u64 + 1, since).await?;
    let change = p99(delays);
    line(
        &format!("stats change to {} listeners, p99 ms", options.listeners),
        format!("{:.1}", change.as_secs_f64() * 1e3),
        &format!("target < 1000 (x{:.2})", change.as_secs_f64() * 1e3 / 1000.0),
    );

    crowd.close();
    Ok(())
}
