//! The `sources` table: Internet sources and their refreshes.

use chrono::{DateTime, Utc};
use sqlx::PgPool;
use uuid::Uuid;

use crate::domain::source::{InternetSource, Validators};

/// The row behind [`InternetSource`].
#[derive(sqlx::FromRow)]
struct SourceRow {
    id: Uuid,
    url: String,
    kind: String,
    title: Option<String>,
    image_url: Option<String>,
    etag: Option<String>,
    last_modified: Option<String>,
    last_refresh_at: Option<DateTime<Utc>>,
    last_error: Option<String>,
    last_error_at: Option<DateTime<Utc>>,
    song_count: i32,
    added_at: DateTime<Utc>,
}

impl From<SourceRow> for InternetSource {
    fn from(row: SourceRow) -> Self {
        Self {
            id: row.id,
            url: row.url,
            kind: row.kind,
            title: row.title,
            image_url: row.image_url,
            validators: Validators {
                etag: row.etag,
                last_modified: row.last_modified,
            },
            last_refresh_at: row.last_refresh_at,
            last_error: row.last_error,
            last_error_at: row.last_error_at,
            song_count: row.song_count,
            added_at: row.added_at,
        }
    }
}

const COLUMNS: &str = "id, url, kind, title, image_url, etag, last_modified, last_refresh_at, last_error,
    last_error_at, song_count, added_at";

pub async fn get(pool: &PgPool, id: Uuid) -> sqlx::Result<Option<InternetSource>> {
    let row: Option<SourceRow> = sqlx::query_as(&format!("SELECT {COLUMNS} FROM sources WHERE id = $1"))
        .bind(id)
        .fetch_optional(pool)
        .await?;
    Ok(row.map(InternetSource::from))
}

pub async fn list(pool: &PgPool) -> sqlx::Result<Vec<InternetSource>> {
    let rows: Vec<SourceRow> =
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM sources ORDER BY added_at, id"))
            .fetch_all(pool)
            .await?;
    Ok(rows.into_iter().map(InternetSource::from).collect())
}

/// Sources worth refreshing: feeds and playlists not refreshed since `before`.
pub async fn due(pool: &PgPool, before: DateTime<Utc>) -> sqlx::Result<Vec<InternetSource>> {
    let rows: Vec<SourceRow> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM sources
         WHERE kind IN ('feed', 'playlist') AND coalesce(last_refresh_at, added_at) < $1
         ORDER BY last_refresh_at NULLS FIRST"
    ))
    .bind(before)
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(InternetSource::from).collect())
}

/// Inserts a new source; `false` when its URL is already known.
pub async fn insert(
    pool: &PgPool,
    id: Uuid,
    url: &str,
    kind: &str,
    title: Option<&str>,
    image: Option<&str>,
) -> sqlx::Result<bool> {
    let inserted = sqlx::query(
        "INSERT INTO sources (id, url, kind, title, image_url) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT DO NOTHING",
    )
    .bind(id)
    .bind(url)
    .bind(kind)
    .bind(title)
    .bind(image)
    .execute(pool)
    .await?
    .rows_affected();
    Ok(inserted == 1)
}

/// Records a successful refresh.
pub async fn refreshed(
    pool: &PgPool,
    id: Uuid,
    validators: &Validators,
    title: Option<&str>,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE sources SET last_refresh_at = now(), last_error = NULL, last_error_at = NULL,
             etag = $2, last_modified = $3, title = coalesce($4, title),
             song_count = (SELECT count(*) FROM songs WHERE source_id = $1)
         WHERE id = $1",
    )
    .bind(id)
    .bind(&validators.etag)
    .bind(&validators.last_modified)
    .bind(title)
    .execute(pool)
    .await?;
    Ok(())
}

/// Records a failed refresh; what was imported stays.
pub async fn failed(pool: &PgPool, id: Uuid, error: &str) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE sources SET last_error = $2, last_error_at = now(), last_refresh_at = now() WHERE id = $1",
    )
    .bind(id)
    .bind(error)
    .execute(pool)
    .await?;
    Ok(())
}

/// Deletes a source and its songs; `false` when unknown.
pub async fn delete(pool: &PgPool, id: Uuid) -> sqlx::Result<bool> {
    let deleted = sqlx::query("DELETE FROM sources WHERE id = $1")
        .bind(id)
        .execute(pool)
        .await?
        .rows_affected();
    Ok(deleted == 1)
}

/// Removes songs of a source whose URLs are no longer listed.
pub async fn remove_songs_except(pool: &PgPool, id: Uuid, keep: &[Uuid]) -> sqlx::Result<u64> {
    Ok(
        sqlx::query("DELETE FROM songs WHERE source_id = $1 AND NOT (id = ANY($2))")
            .bind(id)
            .bind(keep)
            .execute(pool)
            .await?
            .rows_affected(),
    )
}
