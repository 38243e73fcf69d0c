//! A first scan's load: songs in binary `COPY` batches, with the sort and
//! search indexes of songs, albums and artists dropped while they go in
//! and built once at the end. Maintaining two dozen indexes row by row
//! (four of them GIN) is most of what inserting a song costs; building
//! them over a loaded table is a sort each.
//!
//! What was dropped is listed in `deferred_indexes` in the same
//! transaction, so a load that stops half-way loses nothing:
//! [`restore_indexes`] builds whatever is listed. Unique indexes (the
//! primary keys, `songs.path`) are never dropped: conflicts are still
//! refused.

use anyhow::Context as _;
use sqlx::{PgPool, Postgres, Transaction};
use tokio::task::JoinSet;

use super::{copy, fold::Folded, write};
use crate::domain::NewSong;

/// The tables whose indexes a first scan defers.
const TABLES: &[&str] = &["songs", "albums", "artists"];
/// Indexes built at once: on two cores, two builds and a third waiting on
/// its writes keep both busy.
const BUILDERS: usize = 3;

/// How many songs the catalog holds (of every kind).
pub async fn song_count(pool: &PgPool) -> anyhow::Result<i64> {
    sqlx::query_scalar("SELECT count(*) FROM songs")
        .fetch_one(pool)
        .await
        .context("counting songs")
}

/// Drops the non-unique indexes of songs, albums and artists, keeping their
/// definitions in `deferred_indexes`. Answers how many were dropped.
pub async fn defer_indexes(pool: &PgPool) -> anyhow::Result<usize> {
    let mut tx = pool.begin().await.context("deferring indexes")?;
    let names: Vec<String> = sqlx::query_scalar(
        "INSERT INTO deferred_indexes (name, definition)
         SELECT c.relname, pg_get_indexdef(c.oid)
         FROM pg_index x
         JOIN pg_class c ON c.oid = x.indexrelid
         JOIN pg_class t ON t.oid = x.indrelid
         WHERE t.relnamespace = current_schema()::regnamespace
           AND t.relname = ANY($1) AND NOT x.indisunique
         ON CONFLICT (name) DO NOTHING
         RETURNING name",
    )
    .bind(TABLES)
    .fetch_all(&mut *tx)
    .await
    .context("listing the indexes to defer")?;
    for name in &names {
        drop_index(&mut tx, name).await?;
    }
    tx.commit().await.context("committing deferred indexes")?;
    Ok(names.len())
}

async fn drop_index(tx: &mut Transaction<'_, Postgres>, name: &str) -> anyhow::Result<()> {
    // Names come from pg_class; quoting keeps them one identifier.
    let statement = format!("DROP INDEX \"{}\"", name.replace('"', "\"\""));
    sqlx::query(&statement)
        .execute(&mut **tx)
        .await
        .with_context(|| format!("dropping index {name}"))?;
    Ok(())
}

/// Whether some index waits in `deferred_indexes`.
pub async fn any_deferred(pool: &PgPool) -> anyhow::Result<bool> {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM deferred_indexes)")
        .fetch_one(pool)
        .await
        .context("reading deferred indexes")
}

/// Builds every index listed in `deferred_indexes`, a few at once, each
/// in the transaction that removes it from the list.
pub async fn restore_indexes(pool: &PgPool) -> anyhow::Result<()> {
    let mut pending: Vec<(String, String)> = sqlx::query_as(
        "SELECT name, definition FROM deferred_indexes ORDER BY definition LIKE '%USING gin%', name",
    )
    .fetch_all(pool)
    .await
    .context("reading deferred indexes")?;
    let mut building = JoinSet::new();
    // The GIN builds are the longest: started first, the short ones fill in.
    while let Some((name, definition)) = pending.pop() {
        if building.len() >= BUILDERS
            && let Some(built) = building.join_next().await
        {
            built??;
        }
        building.spawn(build_index(pool.clone(), name, definition));
    }
    while let Some(built) = building.join_next().await {
        built??;
    }
    Ok(())
}

async fn build_index(pool: PgPool, name: String, definition: String) -> anyhow::Result<()> {
    let mut tx = pool.begin().await.context("building an index")?;
    // A build sorts in memory up to this much, then spills to disk. Its
    // commit need not wait for the disk: lost, the index is still listed
    // and built again, and the scan's durable end flushes it anyway.
    sqlx::query("SET LOCAL maintenance_work_mem = '256MB'")
        .execute(&mut *tx)
        .await?;
    // The builds already run [`BUILDERS`] at once, one a backend: parallel
    // workers on top (PostgreSQL starts one per B-tree over 8 MB) only add
    // their start and hand-over. Building every deferred index of 20,000
    // songs one after another took 0.96-1.00 s of CPU with them, 0.83-0.84 s
    // without, in the same time.
    sqlx::query("SET LOCAL max_parallel_maintenance_workers = 0")
        .execute(&mut *tx)
        .await?;
    sqlx::query("SET LOCAL synchronous_commit = off")
        .execute(&mut *tx)
        .await?;
    let listed = sqlx::query("DELETE FROM deferred_indexes WHERE name = $1")
        .bind(&name)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    // Another session built it first (a restart racing a scan's end).
    if listed == 1 {
        sqlx::query(&definition)
            .execute(&mut *tx)
            .await
            .with_context(|| format!("building index {name}"))?;
    }
    tx.commit().await.context("committing an index")?;
    Ok(())
}

/// Writes a batch of songs whose ids are new to the catalog with `COPY`,
/// their artists and albums upserted first, in one transaction.
///
/// The commit does not wait for the disk (`synchronous_commit = off`):
/// if PostgreSQL stops, a scan's last batches may be lost and the next
/// scan reads their files again; the scan's end is recorded durably, and
/// writing it flushes every batch before it.
pub async fn copy_songs(pool: &PgPool, songs: &[NewSong]) -> anyhow::Result<()> {
    if songs.is_empty() {
        return Ok(());
    }
    let songs: Vec<&NewSong> = songs.iter().collect();
    let mut tx = pool.begin().await.context("starting a song batch")?;
    sqlx::query("SET LOCAL synchronous_commit = off")
        .execute(&mut *tx)
        .await?;
    write::upsert_credits(&mut tx, &songs).await?;
    let folded = Folded::of_batch(&mut tx, &songs).await?;
    let keys = folded.keys_of_batch(&mut tx, &songs).await?;
    let payload = copy::encode(&songs, &keys)?;
    let mut copy_in = tx
        .copy_in_raw(&format!(
            "COPY songs ({}) FROM STDIN (FORMAT binary)",
            copy::copy_columns()
        ))
        .await
        .context("starting to copy songs")?;
    let sent = copy_in.send(payload).await.map(|_| ());
    match sent {
        Ok(()) => {
            copy_in.finish().await.context("copying songs")?;
        }
        Err(error) => {
            copy_in.abort("the batch could not be sent").await.ok();
            return Err(error).context("sending songs");
        }
    }
    tx.commit().await.context("committing a song batch")?;
    Ok(())
}
