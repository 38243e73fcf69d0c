//! Latency under concurrent clients.

use std::time::{Duration, Instant};

use futures_util::future::join_all;

/// p50 and p99 of `requests` GETs of `paths` (round robin) by `clients`
/// concurrent clients, after a tenth as many unmeasured ones: the service's
/// first requests open its database connections and prepare its
/// statements, a one-time cost that is not the steady latency measured.
pub async fn measure(
    client: &reqwest::Client,
    paths: &[String],
    clients: usize,
    requests: usize,
) -> anyhow::Result<(Duration, Duration)> {
    run(client, paths, clients, requests / 10).await?;
    let mut all = run(client, paths, clients, requests).await?;
    all.sort();
    let at = |q: f64| all[((all.len() as f64 * q) as usize).min(all.len() - 1)];
    Ok((at(0.50), at(0.99)))
}

/// The latency of each of `requests` GETs of `paths` by `clients` clients.
async fn run(
    client: &reqwest::Client,
    paths: &[String],
    clients: usize,
    requests: usize,
) -> anyhow::Result<Vec<Duration>> {
    let per_client = requests.div_ceil(clients);
    let runs = (0..clients).map(|worker| async move {
        let mut latencies = Vec::with_capacity(per_client);
        for n in 0..per_client {
            let path = &paths[(worker * per_client + n) % paths.len()];
            let started = Instant::now();
            let response = client.get(path).send().await?;
            anyhow::ensure!(
                response.status().is_success(),
                "{path} answered {}",
                response.status()
            );
            response.bytes().await?;
            latencies.push(started.elapsed());
        }
        anyhow::Ok(latencies)
    });
    let mut all: Vec<Duration> = Vec::new();
    for result in join_all(runs).await {
        all.extend(result?);
    }
    Ok(all)
}

/// As-you-type prefixes of a few words: "b", "bj", "bjo", "bjor", ...
pub fn typing(words: &[&str]) -> Vec<String> {
    words
        .iter()
        .flat_map(|word| {
            let chars: Vec<char> = word.to_lowercase().chars().collect();
            (1..=chars.len()).map(move |n| chars[..n].iter().collect::<String>())
        })
        .collect()
}
