//! What scans of the music folders keep besides songs: known files, scan
//! history and scan errors.

use anyhow::Context as _;
use chrono::{DateTime, Utc};
use sqlx::PgPool;
use uuid::Uuid;

use crate::domain::{
    SongKind,
    scan::{KnownFile, KnownFiles, ScanError, ScanProblem, ScanProgress},
};

/// Size, mtime and path of every local song, by id.
pub async fn known_files(pool: &PgPool) -> anyhow::Result<KnownFiles> {
    type Row = (Uuid, Option<i64>, Option<DateTime<Utc>>, Option<String>);
    let rows: Vec<Row> =
        sqlx::query_as("SELECT id, size_bytes, modified_at, path FROM songs WHERE kind = $1")
            .bind(SongKind::Local)
            .fetch_all(pool)
            .await
            .context("reading known files")?;
    Ok(rows
        .into_iter()
        .map(|(id, size, modified, path)| {
            let known = KnownFile {
                size: size.unwrap_or(-1),
                modified_at: modified.unwrap_or_default(),
                path: path.unwrap_or_default(),
            };
            (id, known)
        })
        .collect())
}

/// Local songs whose file is one of `paths` or lies under one of them.
pub async fn local_songs_under(pool: &PgPool, paths: &[String]) -> anyhow::Result<Vec<Uuid>> {
    sqlx::query_scalar(
        "SELECT id FROM songs WHERE kind = $2
         AND (path = ANY($1) OR EXISTS (SELECT 1 FROM unnest($1::text[]) d WHERE starts_with(path, d || '/')))",
    )
    .bind(paths)
    .bind(SongKind::Local)
    .fetch_all(pool)
    .await
    .context("finding songs under removed paths")
}

/// Replaces the recorded scan errors with those of the latest full scan.
pub async fn replace_scan_errors(pool: &PgPool, problems: &[ScanProblem]) -> anyhow::Result<()> {
    let mut tx = pool.begin().await?;
    sqlx::query("DELETE FROM scan_errors").execute(&mut *tx).await?;
    add_problems(&mut tx, problems).await?;
    tx.commit().await.context("replacing scan errors")?;
    Ok(())
}

/// Records problems met outside a full scan (the watcher), replacing older
/// ones for the same paths.
pub async fn record_problems(pool: &PgPool, problems: &[ScanProblem]) -> anyhow::Result<()> {
    let mut tx = pool.begin().await?;
    let paths: Vec<&str> = problems.iter().map(|p| p.path.as_str()).collect();
    sqlx::query("DELETE FROM scan_errors WHERE path = ANY($1)")
        .bind(&paths)
        .execute(&mut *tx)
        .await?;
    add_problems(&mut tx, problems).await?;
    tx.commit().await.context("recording scan errors")?;
    Ok(())
}

/// Forgets errors of paths that are now fine.
pub async fn clear_problems(pool: &PgPool, paths: &[String]) -> anyhow::Result<()> {
    sqlx::query("DELETE FROM scan_errors WHERE path = ANY($1)")
        .bind(paths)
        .execute(pool)
        .await
        .context("clearing scan errors")?;
    Ok(())
}

async fn add_problems(tx: &mut sqlx::PgConnection, problems: &[ScanProblem]) -> anyhow::Result<()> {
    let paths: Vec<&str> = problems.iter().map(|p| p.path.as_str()).collect();
    let kinds: Vec<&str> = problems.iter().map(|p| p.kind).collect();
    let messages: Vec<&str> = problems.iter().map(|p| p.message.as_str()).collect();
    let severities: Vec<&str> = problems.iter().map(|p| p.severity.as_str()).collect();
    sqlx::query(
        "INSERT INTO scan_errors (path, kind, message, severity)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])",
    )
    .bind(&paths)
    .bind(&kinds)
    .bind(&messages)
    .bind(&severities)
    .execute(tx)
    .await
    .context("inserting scan errors")?;
    Ok(())
}

/// Scan errors and warnings by id, after an id, at most `limit`.
pub async fn scan_errors(pool: &PgPool, after: i64, limit: i64) -> sqlx::Result<Vec<ScanError>> {
    type Row = (i64, String, String, String, String, DateTime<Utc>);
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT id, path, kind, severity, message, occurred_at FROM scan_errors
         WHERE id > $1 ORDER BY id LIMIT $2",
    )
    .bind(after)
    .bind(limit)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, path, kind, severity, message, occurred_at)| ScanError {
            id,
            path,
            kind,
            severity,
            message,
            occurred_at,
        })
        .collect())
}

/// Keeps a scan in the history: inserted when it starts, its progress
/// updated while it runs and when it ends.
pub async fn record_scan(pool: &PgPool, scan: &ScanProgress) -> anyhow::Result<()> {
    sqlx::query(
        "INSERT INTO scans (id, trigger, started_at, finished_at, seen, done, skipped, failed, removed, state)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
         ON CONFLICT (id) DO UPDATE SET finished_at = $4, seen = $5, done = $6, skipped = $7,
             failed = $8, removed = $9, state = $10",
    )
    .bind(scan.id)
    .bind(&scan.trigger)
    .bind(scan.started_at)
    .bind(scan.finished_at)
    .bind(scan.seen as i64)
    .bind(scan.done as i64)
    .bind(scan.skipped as i64)
    .bind(scan.failed as i64)
    .bind(scan.removed as i64)
    .bind(&scan.state)
    .execute(pool)
    .await
    .context("recording a scan")?;
    Ok(())
}

/// A row of `scans`.
#[derive(sqlx::FromRow)]
struct ScanRow {
    id: Uuid,
    trigger: String,
    started_at: DateTime<Utc>,
    finished_at: Option<DateTime<Utc>>,
    seen: i64,
    done: i64,
    skipped: i64,
    failed: i64,
    removed: i64,
    state: String,
}

/// The scan started last, by any replica.
pub async fn latest_scan(pool: &PgPool) -> anyhow::Result<Option<ScanProgress>> {
    let row: Option<ScanRow> = sqlx::query_as(
        "SELECT id, trigger, started_at, finished_at, seen, done, skipped, failed, removed, state
         FROM scans ORDER BY started_at DESC LIMIT 1",
    )
    .fetch_optional(pool)
    .await
    .context("reading the latest scan")?;
    Ok(row.map(ScanRow::into_progress))
}

impl ScanRow {
    fn into_progress(self) -> ScanProgress {
        let count = |value: i64| u64::try_from(value).unwrap_or(0);
        let (done, skipped, failed) = (count(self.done), count(self.skipped), count(self.failed));
        let until = self.finished_at.unwrap_or_else(Utc::now);
        let seconds = (until - self.started_at).num_milliseconds().max(0) as f64 / 1e3;
        ScanProgress {
            id: self.id,
            trigger: self.trigger,
            error: (self.state == "failed").then(|| "the scan stopped on an internal error".to_owned()),
            state: self.state,
            started_at: self.started_at,
            finished_at: self.finished_at,
            seen: count(self.seen),
            done,
            skipped,
            failed,
            removed: count(self.removed),
            files_per_second: if seconds > 0.0 {
                (done + skipped + failed) as f64 / seconds
            } else {
                0.0
            },
        }
    }
}
