//! Streaming throughput: one 1 GiB body, downloaded by the same client
//! straight from the service, through the gateway, and through nginx as a
//! reverse proxy (the reference), interleaved over several rounds (5 by
//! default).

use std::path::Path;

use crate::{Result, load, nginx, service};

const SIZE: u64 = 1 << 30;

/// One way to reach the body.
struct Target {
    label: String,
    url: String,
    cookie: Option<String>,
    /// The relaying process, whose CPU time per GiB is printed.
    pid: Option<u32>,
}

/// One download: MiB/s, and CPU seconds for the whole body: of the relay,
/// and of every process involved (this one, with the client and the
/// stand-in; the service when it runs apart; the relay).
#[derive(Clone, Copy)]
struct Run {
    mib_per_s: f64,
    relay_cpu: Option<f64>,
    total_cpu: f64,
    /// CPU% over the download: of this process (the client, and the
    /// stand-in when it serves) and of the relay.
    client_percent: f64,
    relay_percent: Option<f64>,
}

/// The in-memory stand-in: direct, through the gateway, through nginx.
pub async fn stand_in(
    client: &reqwest::Client,
    upstream: &str,
    (gateway, pid): (&str, u32),
    cookie: &str,
    rounds: usize,
) -> Result {
    let path = format!("/api/stream/big?size={SIZE}");
    let mut proxies = Vec::new();
    for (index, (label, buffers)) in nginx::BUFFERS.iter().enumerate() {
        proxies.push((
            *label,
            nginx::start(upstream, buffers, &format!("standin{index}")).await?,
        ));
    }
    let mut targets = vec![
        target("direct", upstream, &path, None, None),
        target("gateway", gateway, &path, Some(cookie), Some(pid)),
    ];
    for (label, proxy) in &proxies {
        targets.push(target(
            &format!("nginx, {label}"),
            &proxy.url,
            &path,
            None,
            proxy.pid,
        ));
    }
    println!("\nstreaming one 1 GiB body from the in-memory stand-in (same process as the client):");
    compare(client, &targets, None, rounds).await
}

/// The real stream-service reading a real file: direct, through a second
/// gateway whose stream instance is that service, through nginx.
pub async fn real_service(
    client: &reqwest::Client,
    binary: &Path,
    gateway_binary: &Path,
    upstream: &str,
    cookie: &str,
    rounds: usize,
) -> Result {
    let service = service::start(binary, SIZE, crate::TOKEN).await?;
    let (child, gateway) = crate::spawn_gateway(gateway_binary, upstream, &service.url)?;
    crate::wait_until_up(&gateway, "/healthz", "the second gateway").await?;
    let (label, buffers) = nginx::BUFFERS[1];
    let proxy = nginx::start(&service.url, buffers, "service").await?;
    let path = format!("/api/stream/songs/{}", service::SONG);
    let targets = vec![
        target("direct", &service.url, &path, None, None),
        target("gateway", &gateway, &path, Some(cookie), child.id()),
        target(&format!("nginx, {label}"), &proxy.url, &path, None, proxy.pid),
    ];
    println!("\nstreaming a 1 GiB file from the real stream-service (release, page cache):");
    compare(client, &targets, service.pid, rounds).await
}

fn target(label: &str, base: &str, path: &str, cookie: Option<&str>, pid: Option<u32>) -> Target {
    Target {
        label: label.to_owned(),
        url: format!("{base}{path}"),
        cookie: cookie.map(str::to_owned),
        pid,
    }
}

async fn run(client: &reqwest::Client, target: &Target, service: Option<u32>) -> Result<Run> {
    let own = std::process::id();
    let cpu_now = |pid: Option<u32>| pid.map(load::cpu_seconds).transpose();
    let (own_before, service_before, relay_before) =
        (load::cpu_seconds(own)?, cpu_now(service)?, cpu_now(target.pid)?);
    let mib_per_s = load::download(client, &target.url, target.cookie.as_deref(), SIZE).await?;
    let spent = |before: Option<f64>, now: Option<f64>| before.zip(now).map(|(before, now)| now - before);
    let relay_cpu = spent(relay_before, cpu_now(target.pid)?);
    let service_cpu = spent(service_before, cpu_now(service)?);
    let own_cpu = load::cpu_seconds(own)? - own_before;
    let total_cpu = own_cpu + service_cpu.unwrap_or(0.0) + relay_cpu.unwrap_or(0.0);
    let seconds = SIZE as f64 / (1024.0 * 1024.0) / mib_per_s;
    Ok(Run {
        mib_per_s,
        relay_cpu,
        total_cpu,
        client_percent: own_cpu / seconds * 100.0,
        relay_percent: relay_cpu.map(|cpu| cpu / seconds * 100.0),
    })
}

/// Downloads through every target in turn, `rounds` times. Each proxy's
/// ratios are taken per round against the direct run just before it (so
/// slow swings of other load on the machine cancel out) and their median is
/// printed. CPU figures are per GiB: the relay's, and all processes'
/// together; the CPU ratio (direct's total over the proxy's) is the
/// throughput ratio to expect when the cores are the limit.
async fn compare(
    client: &reqwest::Client,
    targets: &[Target],
    service: Option<u32>,
    rounds: usize,
) -> Result {
    let mut runs = vec![Vec::new(); targets.len()];
    for _ in 0..rounds.max(1) {
        for (target, runs) in targets.iter().zip(&mut runs) {
            runs.push(run(client, target, service).await?);
        }
    }
    let direct = &runs[0];
    for (target, runs) in targets.iter().zip(&runs) {
        let speeds: Vec<String> = runs.iter().map(|run| format!("{:.0}", run.mib_per_s)).collect();
        println!(
            "  {:<32} median {:>5.0} MiB/s (runs {}), CPU s/GiB all {:.2}, client {:.0}%{}",
            target.label,
            median(runs.iter().map(|run| run.mib_per_s)),
            speeds.join(", "),
            median(runs.iter().map(|run| run.total_cpu)),
            median(runs.iter().map(|run| run.client_percent)),
            match median(runs.iter().filter_map(|run| run.relay_percent)) {
                percent if percent.is_nan() => String::new(),
                percent => format!(", relay {percent:.0}%"),
            },
        );
        if target.pid.is_none() {
            continue;
        }
        let ratios: Vec<f64> = runs
            .iter()
            .zip(direct)
            .map(|(run, direct)| run.mib_per_s / direct.mib_per_s)
            .collect();
        let rounded: Vec<String> = ratios.iter().map(|ratio| format!("{ratio:.2}")).collect();
        println!(
            "  {:<32} ratio {:.2} (per round {}), relay CPU s/GiB {:.2}, CPU ratio {:.2}",
            "",
            median(ratios.iter().copied()),
            rounded.join(", "),
            median(runs.iter().filter_map(|run| run.relay_cpu)),
            median(
                runs.iter()
                    .zip(direct)
                    .map(|(run, direct)| direct.total_cpu / run.total_cpu)
            ),
        );
    }
    println!(
        "  (target: gateway ratio >= 0.9; load average now {})",
        crate::load_average()
    );
    Ok(())
}

fn median(values: impl Iterator<Item = f64>) -> f64 {
    let mut values: Vec<f64> = values.collect();
    values.sort_by(f64::total_cmp);
    match values.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => values[n / 2],
        n => (values[n / 2 - 1] + values[n / 2]) / 2.0,
    }
}
