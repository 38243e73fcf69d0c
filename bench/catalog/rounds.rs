//! One round of scans of a library by Tonearm: a first scan into a fresh
//! schema, a scan into that used schema with every file changed, and a
//! rescan of the unchanged library; each timed by the scan's own
//! `started_at`/`finished_at`, with the CPU of the service and of its
//! PostgreSQL backends.

use std::path::Path;

use sqlx::PgPool;

use crate::{cpu, scale, service::Service};

/// A scan's time and the CPU seconds behind it.
#[derive(Clone, Copy, Debug)]
pub struct Figure {
    pub secs: f64,
    pub service_cpu: f64,
    pub database_cpu: f64,
}

/// The three scans of a round (the first alone with `--first-only`).
#[derive(Clone, Copy, Debug)]
pub struct Round {
    pub first: Figure,
    pub later: Option<Later>,
}

/// The scans after the first: every file changed, then none.
#[derive(Clone, Copy, Debug)]
pub struct Later {
    pub used: Figure,
    pub unchanged: Figure,
}

/// Runs a round, printed as `round`; after the `last` one (unless
/// `first_only`), also the watcher figure and the service's peak memory.
pub async fn tonearm(
    library: &Path,
    files: usize,
    admin: &PgPool,
    (round, last, first_only): (usize, bool, bool),
) -> anyhow::Result<Round> {
    let schema = scale::fresh_schema("scan");
    let service = Service::start(&schema, library).await?;
    let figures = scans(&service, &schema, files, admin, first_only).await;
    if let Ok(figures) = &figures {
        let later = figures.later.map_or_else(String::new, |later| {
            format!(
                ", used schema {}, unchanged {}",
                described(later.used),
                described(later.unchanged)
            )
        });
        println!(
            "  round {}: Tonearm first scan {}{later}",
            round + 1,
            described(figures.first),
        );
    }
    if last && !first_only && figures.is_ok() {
        let seen = scale::watched_addition(&service, library).await?;
        println!(
            "    one added file seen through the watcher: {:.3} s (target 2 s: {})",
            seen.as_secs_f64(),
            crate::verdict(seen.as_secs_f64() < 2.0)
        );
        if let Some(rss) = service.peak_rss_mib() {
            println!("    peak RSS of the service: {rss:.0} MiB");
        }
    }
    drop(service);
    scale::drop_schema(&schema).await?;
    figures
}

/// "1.23 s (CPU: service 0.80 s, PostgreSQL 1.10 s)".
pub fn described(figure: Figure) -> String {
    format!(
        "{:.2} s (CPU: service {:.2} s, PostgreSQL {:.2} s)",
        figure.secs, figure.service_cpu, figure.database_cpu
    )
}

async fn scans(
    service: &Service,
    schema: &str,
    files: usize,
    admin: &PgPool,
    first_only: bool,
) -> anyhow::Result<Round> {
    let first = timed(service, admin, "done", files).await?;
    if first_only {
        return Ok(Round { first, later: None });
    }
    // Every file now looks changed: the next scan reads and upserts them all.
    let pool = scale::pool(schema).await?;
    sqlx::query("UPDATE songs SET modified_at = modified_at - interval '1 second'")
        .execute(&pool)
        .await?;
    sqlx::query("VACUUM ANALYZE songs").execute(&pool).await?;
    pool.close().await;
    let used = timed(service, admin, "done", files).await?;
    let unchanged = timed(service, admin, "skipped", files).await?;
    Ok(Round {
        first,
        later: Some(Later { used, unchanged }),
    })
}

/// One scan, checked to have counted `files` in `counter`.
async fn timed(service: &Service, admin: &PgPool, counter: &str, files: usize) -> anyhow::Result<Figure> {
    let before = cpu::Snapshot::take(service.pid(), admin).await?;
    let (_, progress) = service.scan().await?;
    let after = cpu::Snapshot::take(service.pid(), admin).await?;
    anyhow::ensure!(
        progress["state"] == "finished" && progress[counter].as_u64() == Some(files as u64),
        "the scan ended as {progress}"
    );
    let (service_cpu, database_cpu) = after.since(&before);
    Ok(Figure {
        secs: Service::own_duration(&progress)?.as_secs_f64(),
        service_cpu,
        database_cpu,
    })
}

/// The median of `values` (the lower middle one of an even count).
pub fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values
        .get(values.len().saturating_sub(1) / 2)
        .copied()
        .unwrap_or(f64::NAN)
}
