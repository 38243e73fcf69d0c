//! `cargo xtask bench catalog`: scan, rescan, watcher and query figures of
//! the catalog service, printed with ratios to Polaris and to the targets.
//!
//! Run: `cargo build --release -p catalog-service --bin catalog-service --example catalog-bench`
//! then `target/release/examples/catalog-bench [--files 20000] [--songs 100000] [--data DIR]`.

mod library;
mod load;
mod parse;
mod scale;
mod service;

use std::{path::PathBuf, time::Duration};

use anyhow::Context as _;
use service::Service;

/// Polaris on this kind of machine (files per second, warm page cache).
const POLARIS_WITH_OGG: f64 = 6_400.0;
const POLARIS_WITHOUT_OGG: f64 = 24_000.0;
const POLARIS_RESCAN_SECS: f64 = 3.1;

struct Args {
    files: usize,
    songs: usize,
    data: PathBuf,
}

fn args() -> anyhow::Result<Args> {
    let mut args = Args {
        files: 20_000,
        songs: 100_000,
        data: PathBuf::from("/root/.cache/tonearm/bench/catalog"),
    };
    let mut iter = std::env::args().skip(1);
    while let Some(flag) = iter.next() {
        let value = iter.next().with_context(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--files" => args.files = value.parse().context("--files")?,
            "--songs" => args.songs = value.parse().context("--songs")?,
            "--data" => args.data = PathBuf::from(value),
            other => anyhow::bail!("unknown option {other} (expected --files, --songs, --data)"),
        }
    }
    Ok(args)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = args()?;
    std::fs::create_dir_all(&args.data)?;
    println!(
        "catalog benchmark: {} files per library, {} songs for queries",
        args.files, args.songs
    );
    // `--files 0` skips the scan figures, `--songs 0` the query figures.
    let libraries = if args.files == 0 { 0 } else { 2 };
    for (formats, polaris, target) in [
        (&["mp3", "flac", "ogg", "m4a"][..], POLARIS_WITH_OGG, 13_000.0),
        (&["mp3", "flac", "m4a"][..], POLARIS_WITHOUT_OGG, 48_000.0),
    ]
    .into_iter()
    .take(libraries)
    {
        let started = std::time::Instant::now();
        let dir = library::ensure(&args.data, args.files, formats)?;
        println!(
            "\nlibrary {} ({:.1} s to prepare)",
            dir.display(),
            started.elapsed().as_secs_f64()
        );
        let parse_rate = tokio::task::spawn_blocking({
            let dir = dir.clone();
            move || parse::rate(&dir)
        })
        .await??;
        println!("  walk and tag reading alone (no database): {parse_rate:.0} files/s");
        scans(&dir, args.files, polaris, target).await?;
    }
    if args.songs > 0 {
        scale::queries(args.songs).await?;
    }
    Ok(())
}

/// Cold and warm full scans, an unchanged rescan and one watched addition.
async fn scans(dir: &std::path::Path, files: usize, polaris: f64, target: f64) -> anyhow::Result<()> {
    let rate = |elapsed: Duration| files as f64 / elapsed.as_secs_f64();
    match drop_page_cache() {
        Ok(()) => {
            let schema = scale::fresh_schema("cold");
            let service = Service::start(&schema, dir).await?;
            let (elapsed, _) = service.scan().await?;
            println!(
                "  full scan, cold cache: {:.2} s, {:.0} files/s ({:.2}x Polaris warm, target {target:.0})",
                elapsed.as_secs_f64(),
                rate(elapsed),
                rate(elapsed) / polaris
            );
            drop(service);
            scale::drop_schema(&schema).await?;
        }
        Err(error) => println!("  full scan, cold cache: not measured ({error})"),
    }
    let schema = scale::fresh_schema("warm");
    let service = Service::start(&schema, dir).await?;
    let (elapsed, progress) = service.scan().await?;
    anyhow::ensure!(
        progress["done"].as_u64() == Some(files as u64),
        "scan stored {progress}"
    );
    println!(
        "  full scan, warm cache: {:.2} s, {:.0} files/s ({:.2}x Polaris {polaris:.0}, target {target:.0}: {})",
        elapsed.as_secs_f64(),
        rate(elapsed),
        rate(elapsed) / polaris,
        verdict(rate(elapsed) >= target)
    );
    let (rescan, progress) = service.scan().await?;
    anyhow::ensure!(
        progress["skipped"].as_u64() == Some(files as u64),
        "rescan {progress}"
    );
    println!(
        "  rescan, unchanged: {:.3} s ({:.1}x faster than Polaris {POLARIS_RESCAN_SECS} s, target 0.5 s: {})",
        rescan.as_secs_f64(),
        POLARIS_RESCAN_SECS / rescan.as_secs_f64(),
        verdict(rescan.as_secs_f64() < 0.5)
    );
    let seen = scale::watched_addition(&service, dir).await?;
    println!(
        "  one added file seen through the watcher: {:.3} s (target 2 s: {})",
        seen.as_secs_f64(),
        verdict(seen.as_secs_f64() < 2.0)
    );
    if let Some(rss) = service.peak_rss_mib() {
        println!("  peak RSS of the service: {rss:.0} MiB");
    }
    drop(service);
    scale::drop_schema(&schema).await
}

fn verdict(met: bool) -> &'static str {
    if met { "met" } else { "missed" }
}

/// Drops the kernel page cache (needs root); says why when it cannot.
fn drop_page_cache() -> anyhow::Result<()> {
    let status = std::process::Command::new("sync").status()?;
    anyhow::ensure!(status.success(), "sync failed");
    std::fs::write("/proc/sys/vm/drop_caches", b"3").context("cannot drop the page cache")
}
