//! Concurrent clients sending a set of `/rest` calls, and their latencies.

use std::{
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::Instant,
};

use anyhow::bail;

use crate::{Result, seed::WORDS};

/// The calls measured, by method: URLs cycled through by the clients.
pub fn queries(gateway: &str, key: &str) -> Vec<(&'static str, Vec<String>)> {
    let rest = |method: &str, query: &str| {
        format!("{gateway}/rest/{method}.view?apiKey={key}&v=1.16.1&c=bench&f=json&{query}")
    };
    let search = WORDS
        .iter()
        .map(|word| {
            rest(
                "search3",
                &format!("query={word}&songCount=20&albumCount=20&artistCount=20"),
            )
        })
        .collect();
    let lists = [
        "newest",
        "random",
        "alphabeticalByName",
        "alphabeticalByArtist",
        "byYear&fromYear=1970&toYear=1980",
        "byGenre&genre=Jazz",
    ]
    .iter()
    .map(|list| rest("getAlbumList2", &format!("type={list}&size=20")))
    .collect();
    vec![
        ("search3", search),
        ("getAlbumList2", lists),
        ("getArtists", vec![rest("getArtists", "")]),
    ]
}

/// Sends `total` requests over `clients` concurrent clients, each taking
/// the next URL in turn; the latencies in milliseconds. A failed answer
/// (not 200, or a Subsonic error) stops the run.
pub async fn run(
    client: &reqwest::Client,
    urls: &[String],
    clients: usize,
    total: usize,
) -> Result<Vec<f64>> {
    let urls = Arc::new(urls.to_vec());
    let next = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let (client, urls, next) = (client.clone(), Arc::clone(&urls), Arc::clone(&next));
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            loop {
                let n = next.fetch_add(1, Ordering::Relaxed);
                if n >= total {
                    return Ok::<_, anyhow::Error>(latencies);
                }
                let url = &urls[n % urls.len()];
                let started = Instant::now();
                let response = client.get(url).send().await?;
                let status = response.status();
                let body = response.bytes().await?;
                latencies.push(crate::ms(started.elapsed()));
                if !status.is_success() || !body.windows(13).any(|w| w == b"\"status\":\"ok\"") {
                    bail!(
                        "{url} answered {status}: {}",
                        String::from_utf8_lossy(&body[..body.len().min(300)])
                    );
                }
            }
        }));
    }
    let mut all = Vec::with_capacity(total);
    for task in tasks {
        all.extend(task.await??);
    }
    all.sort_by(f64::total_cmp);
    Ok(all)
}

/// The `p`th percentile of sorted values (100: the largest).
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}
