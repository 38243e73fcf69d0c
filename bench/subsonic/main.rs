//! `cargo xtask bench subsonic`: the OpenSubsonic API on a 100,000-song
//! catalog, loaded by 32 clients: p99 of `search3`, `getAlbumList2` and
//! `getArtists` (target 30 ms), and `stream` through `/rest` against the
//! same song through `/api/stream`, in interleaved rounds, with the CPU
//! each process used (target: `/rest` at least 0.95 of `/api/stream`).
//!
//! It starts the release binaries of catalog-service, stream-service and
//! the gateway (next to this one) on free ports with a fresh schema and
//! Redis prefix, writes the songs with the catalog's own batch writer, and
//! removes the schema at the end.
//!
//! Usage: subsonic-bench [--songs N] [--clients N] [--requests N]
//! [--rounds N] [--stream-mib N]

mod load;
mod schema;
mod seed;
mod services;
mod stream;

use std::time::Duration;

type Result<T = ()> = anyhow::Result<T>;

/// The command line.
pub struct Args {
    pub songs: usize,
    pub clients: usize,
    /// Requests per query, over all clients.
    pub requests: usize,
    pub rounds: usize,
    pub stream_mib: u64,
}

const USAGE: &str =
    "usage: subsonic-bench [--songs N] [--clients N] [--requests N] [--rounds N] [--stream-mib N]";

impl Args {
    fn parse() -> Result<Self> {
        let mut parsed = Self {
            songs: 100_000,
            clients: 32,
            requests: 3_200,
            rounds: 5,
            stream_mib: 64,
        };
        let mut args = std::env::args().skip(1);
        while let Some(flag) = args.next() {
            let value: u64 = args
                .next()
                .and_then(|value| value.parse().ok())
                .ok_or_else(|| anyhow::anyhow!(USAGE))?;
            let value_usize = usize::try_from(value)?;
            match flag.as_str() {
                "--songs" => parsed.songs = value_usize,
                "--clients" => parsed.clients = value_usize.max(1),
                "--requests" => parsed.requests = value_usize.max(1),
                "--rounds" => parsed.rounds = value_usize.max(1),
                "--stream-mib" => parsed.stream_mib = value.max(1),
                _ => anyhow::bail!(USAGE),
            }
        }
        Ok(parsed)
    }
}

#[tokio::main]
async fn main() -> Result {
    let args = Args::parse()?;
    println!("load average at start: {}", load_average());
    let system = services::System::start(&args).await?;
    let outcome = run(&args, &system).await;
    system.stop().await;
    outcome
}

async fn run(args: &Args, system: &services::System) -> Result {
    let started = std::time::Instant::now();
    let real = seed::songs(system, args.songs, args.stream_mib).await?;
    println!(
        "{} songs written in {:.1} s (load average {})",
        args.songs,
        started.elapsed().as_secs_f64(),
        load_average()
    );
    let client = system.client();
    let key = system.api_key(&client).await?;
    println!(
        "\n{} clients, {} requests per method (ms):",
        args.clients, args.requests
    );
    println!(
        "  {:<16} {:>8} {:>8} {:>8}   {:<8} CPU-us per call: gateway catalog postgres redis client",
        "method", "p50", "p99", "max", "p99<30ms"
    );
    for (method, paths) in load::queries(&system.gateway, &key) {
        // One pass unmeasured: the first call of each URL fills what is kept.
        load::run(&client, &paths, args.clients, paths.len().max(args.clients)).await?;
        let before = services::cpu_split(system);
        let latencies = load::run(&client, &paths, args.clients, args.requests).await?;
        let after = services::cpu_split(system);
        let per_call: Vec<String> = before
            .iter()
            .zip(after)
            .map(|(was, now)| format!("{:.0}", (now - was) * 1e6 / args.requests as f64))
            .collect();
        let p99 = load::percentile(&latencies, 99.0);
        println!(
            "  {method:<16} {:>8.1} {:>8.1} {:>8.1}   {:<8} {}",
            load::percentile(&latencies, 50.0),
            p99,
            load::percentile(&latencies, 100.0),
            if p99 < 30.0 { "met" } else { "NOT met" },
            per_call.join(" ")
        );
    }
    stream::compare(system, &client, &key, &real, args).await?;
    println!("\nload average at the end: {}", load_average());
    Ok(())
}

/// `/proc/loadavg`'s three figures.
pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|line| line.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

/// Milliseconds of a duration.
pub fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}
