//! The load side: the same client and code for both targets.

use std::time::{Duration, Instant};

use futures_util::StreamExt as _;

use crate::Result;

/// One pooled keep-alive client for every measurement; it carries the
/// internal token, which the real stream-service asks of direct callers.
pub fn client() -> Result<reqwest::Client> {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        "x-tonearm-internal-token",
        reqwest::header::HeaderValue::from_static(crate::TOKEN),
    );
    Ok(reqwest::Client::builder()
        .pool_max_idle_per_host(2_000)
        .default_headers(headers)
        .build()?)
}

/// Latency of `count` sequential requests, in milliseconds, body read.
pub async fn latencies(
    client: &reqwest::Client,
    url: &str,
    cookie: Option<&str>,
    count: usize,
) -> Result<Vec<f64>> {
    let mut samples = Vec::with_capacity(count);
    for _ in 0..count {
        let started = Instant::now();
        let mut request = client.get(url);
        if let Some(cookie) = cookie {
            request = request.header("cookie", cookie);
        }
        let response = request.send().await?;
        if !response.status().is_success() {
            return Err(format!("{url} answered {}", response.status()).into());
        }
        response.bytes().await?;
        samples.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    samples.sort_by(f64::total_cmp);
    Ok(samples)
}

/// The `p`th percentile of sorted samples.
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let index = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

/// Downloads one body, checks its size and returns MiB/s.
pub async fn download(client: &reqwest::Client, url: &str, cookie: Option<&str>, size: u64) -> Result<f64> {
    let mut request = client.get(url);
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    let started = Instant::now();
    let mut stream = request.send().await?.bytes_stream();
    let mut total = 0_u64;
    while let Some(chunk) = stream.next().await {
        total += chunk?.len() as u64;
    }
    if total != size {
        return Err(format!("{url}: got {total} bytes, expected {size}").into());
    }
    Ok(size as f64 / (1024.0 * 1024.0) / started.elapsed().as_secs_f64())
}

/// Opens `count` streams, each on its own connection, reads their first
/// chunk and keeps them open until the returned sender is dropped.
pub async fn hold_streams(
    url: &str,
    cookie: &str,
    count: usize,
) -> Result<(usize, tokio::sync::watch::Sender<()>)> {
    let (stop, stopped) = tokio::sync::watch::channel(());
    let (ready, mut readies) = tokio::sync::mpsc::channel::<bool>(count);
    for _ in 0..count {
        let (url, cookie, ready, mut stopped) =
            (url.to_owned(), cookie.to_owned(), ready.clone(), stopped.clone());
        tokio::spawn(async move {
            // A client per stream: one connection each, as 1,000 players would.
            let Ok(client) = reqwest::Client::builder().build() else {
                let _ = ready.send(false).await;
                return;
            };
            let response = client.get(&url).header("cookie", cookie).send().await;
            let Ok(response) = response else {
                let _ = ready.send(false).await;
                return;
            };
            let mut body = response.bytes_stream();
            let ok = matches!(body.next().await, Some(Ok(_)));
            let _ = ready.send(ok).await;
            loop {
                tokio::select! {
                    _ = stopped.changed() => break,
                    chunk = body.next() => if !matches!(chunk, Some(Ok(_))) { break },
                }
            }
        });
    }
    drop(ready);
    let mut held = 0;
    let deadline = tokio::time::sleep(Duration::from_secs(60));
    tokio::pin!(deadline);
    for _ in 0..count {
        tokio::select! {
            answer = readies.recv() => match answer {
                Some(true) => held += 1,
                Some(false) => {}
                None => break,
            },
            () = &mut deadline => break,
        }
    }
    // Let the gateway settle after the burst of new connections.
    tokio::time::sleep(Duration::from_secs(2)).await;
    Ok((held, stop))
}

/// Resident memory of a process, in KiB.
pub fn rss_kib(pid: u32) -> Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .ok_or_else(|| "no VmRSS line".into())
}

/// CPU time (user + system) a process has used so far, in seconds.
pub fn cpu_seconds(pid: u32) -> Result<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    // Fields after the command name (which may hold spaces) start at
    // field 3; utime and stime are fields 14 and 15, in USER_HZ (100) ticks.
    let rest = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest)
        .ok_or("odd /proc stat")?;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks =
        |index: usize| -> Result<f64> { Ok(fields.get(index).ok_or("short /proc stat")?.parse::<f64>()?) };
    Ok((ticks(11)? + ticks(12)?) / 100.0)
}
