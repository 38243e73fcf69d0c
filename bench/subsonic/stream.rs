//! `stream` through `/rest` against the same song through `/api/stream`:
//! each round downloads the whole file once per client, both ways, in
//! alternating order, and notes the CPU the gateway and stream-service used.

use std::time::Instant;

use futures_util::StreamExt as _;

use crate::{
    Args, Result,
    services::{System, cpu_seconds},
};

/// One measured run.
struct Run {
    mib_per_s: f64,
    gateway_cpu: f64,
    stream_cpu: f64,
}

async fn download_all(
    client: &reqwest::Client,
    url: &str,
    cookie: Option<&str>,
    clients: usize,
) -> Result<u64> {
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let (client, url, cookie) = (client.clone(), url.to_owned(), cookie.map(str::to_owned));
        tasks.push(tokio::spawn(async move {
            let mut request = client.get(&url);
            if let Some(cookie) = cookie {
                request = request.header("cookie", cookie);
            }
            let response = request.send().await?.error_for_status()?;
            let mut body = response.bytes_stream();
            let mut bytes = 0_u64;
            while let Some(chunk) = body.next().await {
                bytes += chunk?.len() as u64;
            }
            Ok::<_, anyhow::Error>(bytes)
        }));
    }
    let mut total = 0;
    for task in tasks {
        total += task.await??;
    }
    Ok(total)
}

async fn measure(
    system: &System,
    client: &reqwest::Client,
    url: &str,
    cookie: Option<&str>,
    clients: usize,
) -> Result<Run> {
    let pids = (
        system.pid("gateway").unwrap_or(0),
        system.pid("stream-service").unwrap_or(0),
    );
    let before = (cpu_seconds(pids.0), cpu_seconds(pids.1));
    let started = Instant::now();
    let bytes = download_all(client, url, cookie, clients).await?;
    let elapsed = started.elapsed().as_secs_f64();
    Ok(Run {
        mib_per_s: bytes as f64 / f64::from(1 << 20) / elapsed,
        gateway_cpu: cpu_seconds(pids.0) - before.0,
        stream_cpu: cpu_seconds(pids.1) - before.1,
    })
}

/// Prints each round and the ratio of the totals.
pub async fn compare(
    system: &System,
    client: &reqwest::Client,
    key: &str,
    song: &str,
    args: &Args,
) -> Result {
    let rest = format!(
        "{}/rest/stream.view?id={song}&apiKey={key}&v=1.16.1&c=bench",
        system.gateway
    );
    let api = format!("{}/api/stream/songs/{song}", system.gateway);
    // Warm the page cache and the connections.
    download_all(client, &rest, None, 1).await?;
    download_all(client, &api, Some(system.cookie()), 1).await?;
    println!(
        "\nstream, {} clients each downloading {} MiB, {} interleaved rounds:",
        args.clients, args.stream_mib, args.rounds
    );
    println!(
        "  {:<6} {:<12} {:>10} {:>14} {:>16}",
        "round", "path", "MiB/s", "gateway CPU s", "stream CPU s"
    );
    let (mut rest_total, mut api_total) = (0.0, 0.0);
    for round in 1..=args.rounds {
        let order: [(&str, &str, Option<&str>); 2] = if round % 2 == 1 {
            [
                ("/rest", rest.as_str(), None),
                ("/api/stream", api.as_str(), Some(system.cookie())),
            ]
        } else {
            [
                ("/api/stream", api.as_str(), Some(system.cookie())),
                ("/rest", rest.as_str(), None),
            ]
        };
        for (label, url, cookie) in order {
            let run = measure(system, client, url, cookie, args.clients).await?;
            println!(
                "  {round:<6} {label:<12} {:>10.0} {:>14.2} {:>16.2}",
                run.mib_per_s, run.gateway_cpu, run.stream_cpu
            );
            if label == "/rest" {
                rest_total += run.mib_per_s;
            } else {
                api_total += run.mib_per_s;
            }
        }
    }
    let ratio = if api_total > 0.0 {
        rest_total / api_total
    } else {
        0.0
    };
    println!(
        "  /rest over /api/stream: {ratio:.3} (target at least 0.95: {})",
        if ratio >= 0.95 { "met" } else { "NOT met" }
    );
    Ok(())
}
