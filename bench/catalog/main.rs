//! `cargo xtask bench catalog`: scan, rescan, watcher and query figures of
//! the catalog service, printed beside Polaris's and the targets.
//!
//! Run: `cargo build --release -p catalog-service --bin catalog-service --example catalog-bench`
//! then `target/release/examples/catalog-bench [--files 20000] [--songs 100000] [--data DIR]
//! [--rounds 3] [--polaris BIN] [--force] [--without-ogg] [--first-only]`.

mod compare;
mod cpu;
mod library;
mod load;
mod parse;
mod polaris;
mod rounds;
mod scale;
mod service;

use std::path::PathBuf;

use anyhow::Context as _;
use service::Service;

/// The one-minute load average above which the benchmark refuses to
/// measure without `--force`: on two cores, other work sets the figures.
const MAX_LOAD: f64 = 1.5;

struct Args {
    files: usize,
    songs: usize,
    rounds: usize,
    data: PathBuf,
    polaris: Option<PathBuf>,
    force: bool,
    /// Only the library without Ogg (`--without-ogg`).
    without_ogg: bool,
    /// Only first scans: no used-schema scan, rescan or watcher (`--first-only`).
    first_only: bool,
}

fn args() -> anyhow::Result<Args> {
    let mut args = Args {
        files: 20_000,
        songs: 100_000,
        rounds: 3,
        data: PathBuf::from("/root/.cache/tonearm/bench/catalog"),
        polaris: None,
        force: false,
        without_ogg: false,
        first_only: false,
    };
    let mut iter = std::env::args().skip(1);
    while let Some(flag) = iter.next() {
        match flag.as_str() {
            "--force" => args.force = true,
            "--without-ogg" => args.without_ogg = true,
            "--first-only" => args.first_only = true,
            _ => {}
        }
        if matches!(flag.as_str(), "--force" | "--without-ogg" | "--first-only") {
            continue;
        }
        let value = iter.next().with_context(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--files" => args.files = value.parse().context("--files")?,
            "--songs" => args.songs = value.parse().context("--songs")?,
            "--rounds" => args.rounds = value.parse::<usize>().context("--rounds")?.max(1),
            "--data" => args.data = PathBuf::from(value),
            "--polaris" => args.polaris = Some(PathBuf::from(value)),
            other => anyhow::bail!(
                "unknown option {other} (expected --files, --songs, --rounds, --data, --polaris, --force, \
                 --without-ogg, --first-only)"
            ),
        }
    }
    Ok(args)
}

/// The load averages (1, 5 and 15 minutes) as `/proc/loadavg` writes them.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|line| line.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

fn check_load(force: bool) -> anyhow::Result<()> {
    let averages = load_average();
    println!("load average at start: {averages}");
    let one: f64 = averages
        .split_whitespace()
        .next()
        .and_then(|value| value.parse().ok())
        .unwrap_or(0.0);
    if one > MAX_LOAD && !force {
        anyhow::bail!(
            "the load average is {one} (above {MAX_LOAD}): other work would set the figures; \
             run on a quiet machine, or add --force to take them anyway, labelled as loaded"
        );
    }
    if one > MAX_LOAD {
        println!("  (above {MAX_LOAD}: figures taken on a loaded machine are indicative only)");
    }
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = args()?;
    check_load(args.force)?;
    std::fs::create_dir_all(&args.data)?;
    println!(
        "catalog benchmark: {} files per library, {} rounds, {} songs for queries",
        args.files, args.rounds, args.songs
    );
    // `--files 0` skips the scan figures, `--songs 0` the query figures.
    let libraries = if args.files == 0 { 0 } else { 2 };
    for (formats, stored, target) in [
        (&["mp3", "flac", "ogg", "m4a"][..], polaris::STORED_WITH_OGG, 2.0),
        (&["mp3", "flac", "m4a"][..], polaris::STORED_WITHOUT_OGG, 1.0),
    ]
    .into_iter()
    .take(libraries)
    .skip(usize::from(args.without_ogg))
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
        if !args.first_only {
            cold_scan(&dir, args.files).await?;
        }
        let library = compare::Library {
            dir: &dir,
            files: args.files,
            stored,
            target,
        };
        library.compare(&args).await?;
    }
    if args.songs > 0 {
        scale::queries(args.songs).await?;
    }
    println!("\nload average at the end: {}", load_average());
    Ok(())
}

/// A full scan with the page cache dropped first (needs root).
async fn cold_scan(dir: &std::path::Path, files: usize) -> anyhow::Result<()> {
    if let Err(error) = drop_page_cache() {
        println!("  first scan, cold cache: not measured ({error})");
        return Ok(());
    }
    let schema = scale::fresh_schema("cold");
    let service = Service::start(&schema, dir).await?;
    let (_, progress) = service.scan().await?;
    let elapsed = Service::own_duration(&progress)?;
    println!(
        "  first scan, cold cache: {:.2} s, {:.0} files/s",
        elapsed.as_secs_f64(),
        files as f64 / elapsed.as_secs_f64()
    );
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
