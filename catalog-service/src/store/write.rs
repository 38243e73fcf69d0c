//! Batched writes: a whole batch of songs is one statement, sent as a JSON
//! array and expanded with `jsonb_to_recordset`, with its artists and albums
//! upserted alongside.

use anyhow::Context as _;
use sqlx::PgPool;
use uuid::Uuid;

use super::fold::{KEY_COLUMNS, KEY_EXPRESSIONS};
use crate::domain::NewSong;

const RECORD: &str = "id uuid, kind text, source_id uuid, path text, url text, file_name text,
    content_type text, size_bytes bigint, modified_at timestamptz, title text, artist text,
    artists text[], artist_ids uuid[], album text, album_id uuid, album_artist text,
    track_number integer, track_total integer, disc_number integer, disc_total integer,
    year integer, date text, genres text[], duration_ms bigint, bitrate_kbps integer,
    sample_rate integer, channels integer, codec text, embedded_cover boolean,
    folder_cover text, image_url text, description text, published_at timestamptz, lyrics text";

/// The columns every song write fills, in the order of [`RECORD`] (and of
/// the binary `COPY` fields a first scan writes, `store::copy`).
pub(super) const COLUMNS: &str = "id, kind, source_id, path, url, file_name, content_type, size_bytes,
    modified_at, title, artist, artists, artist_ids, album, album_id, album_artist, track_number,
    track_total, disc_number, disc_total, year, date, genres, duration_ms, bitrate_kbps,
    sample_rate, channels, codec, embedded_cover, folder_cover, image_url, description, published_at,
    lyrics";

/// Inserts or replaces `songs` (by id) with their artists and albums, in one
/// transaction.
pub async fn upsert_songs(pool: &PgPool, songs: &[NewSong]) -> anyhow::Result<()> {
    if songs.is_empty() {
        return Ok(());
    }
    // One statement may not touch a row twice; the last version of a song wins.
    let mut seen = std::collections::HashSet::new();
    let mut unique: Vec<&NewSong> = songs.iter().rev().filter(|song| seen.insert(song.id)).collect();
    unique.reverse();
    let batch = serde_json::to_value(&unique).context("encoding a batch of songs")?;
    let mut tx = pool.begin().await.context("starting a song batch")?;
    upsert_credits(&mut tx, &unique).await?;
    let statement = format!(
        "INSERT INTO songs ({COLUMNS}, {KEY_COLUMNS})
         SELECT {COLUMNS}, {KEY_EXPRESSIONS} FROM jsonb_to_recordset($1) AS s({RECORD})
         ON CONFLICT (id) DO UPDATE SET {updates}, updated_at = now(), missing = false",
        updates = format!("{COLUMNS}, {KEY_COLUMNS}")
            .split(',')
            .map(str::trim)
            .filter(|column| *column != "id")
            .map(|column| format!("{column} = EXCLUDED.{column}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    sqlx::query(&statement)
        .bind(&batch)
        .execute(&mut *tx)
        .await
        .context("upserting songs")?;
    tx.commit().await.context("committing a song batch")?;
    Ok(())
}

/// The artists and albums of `songs`, before the songs that refer to them.
pub(super) async fn upsert_credits(tx: &mut sqlx::PgConnection, songs: &[&NewSong]) -> anyhow::Result<()> {
    upsert_artists(tx, songs).await?;
    upsert_albums(tx, songs).await
}

/// Every artist of the batch, credited on a track or as an album artist
/// (who may credit no track of their own, e.g. "Various Artists"), in one
/// statement in id order: batches written at once then take their locks in
/// the same order and cannot deadlock.
async fn upsert_artists(tx: &mut sqlx::PgConnection, songs: &[&NewSong]) -> anyhow::Result<()> {
    let mut artists = std::collections::BTreeMap::new();
    for song in songs {
        for (id, name) in song.artist_ids.iter().zip(&song.artists) {
            artists.entry(*id).or_insert(name.as_str());
        }
        artists
            .entry(crate::domain::ids::artist_id(&song.album_artist))
            .or_insert(song.album_artist.as_str());
    }
    let (ids, names): (Vec<Uuid>, Vec<&str>) = artists.into_iter().unzip();
    sqlx::query(
        "INSERT INTO artists (id, name)
         SELECT id, name FROM unnest($1::uuid[], $2::text[]) AS a(id, name)
         ORDER BY id
         ON CONFLICT (id) DO NOTHING",
    )
    .bind(&ids)
    .bind(&names)
    .execute(&mut *tx)
    .await
    .context("upserting artists")?;
    Ok(())
}

/// Albums of the batch, in id order.
async fn upsert_albums(tx: &mut sqlx::PgConnection, songs: &[&NewSong]) -> anyhow::Result<()> {
    let mut ids = Vec::new();
    let mut titles = Vec::new();
    let mut artists = Vec::new();
    let mut artist_ids = Vec::new();
    let mut years = Vec::new();
    for song in songs {
        ids.push(song.album_id);
        titles.push(song.album.clone());
        artists.push(song.album_artist.clone());
        artist_ids.push(crate::domain::ids::artist_id(&song.album_artist));
        years.push(song.year);
    }
    sqlx::query(
        "INSERT INTO albums (id, title, artist, artist_id, year)
         SELECT DISTINCT ON (id) id, title, artist, artist_id, year
         FROM unnest($1::uuid[], $2::text[], $3::text[], $4::uuid[], $5::int[])
              AS a(id, title, artist, artist_id, year)
         ORDER BY id, year NULLS LAST
         ON CONFLICT (id) DO UPDATE SET year = coalesce(albums.year, EXCLUDED.year)",
    )
    .bind(&ids)
    .bind(&titles)
    .bind(&artists)
    .bind(&artist_ids)
    .bind(&years)
    .execute(&mut *tx)
    .await
    .context("upserting albums")?;
    Ok(())
}

/// Deletes songs by id, then albums and artists no song refers to any more.
pub async fn delete_songs(pool: &PgPool, ids: &[Uuid]) -> anyhow::Result<u64> {
    if ids.is_empty() {
        return Ok(0);
    }
    let deleted = sqlx::query("DELETE FROM songs WHERE id = ANY($1)")
        .bind(ids)
        .execute(pool)
        .await
        .context("deleting songs")?
        .rows_affected();
    prune(pool).await?;
    Ok(deleted)
}

/// Removes albums and artists left without songs.
pub async fn prune(pool: &PgPool) -> anyhow::Result<()> {
    sqlx::query("DELETE FROM albums a WHERE NOT EXISTS (SELECT 1 FROM songs s WHERE s.album_id = a.id)")
        .execute(pool)
        .await
        .context("pruning albums")?;
    sqlx::query(
        "DELETE FROM artists r
         WHERE NOT EXISTS (SELECT 1 FROM songs s WHERE s.artist_ids @> ARRAY[r.id])
           AND NOT EXISTS (SELECT 1 FROM albums a WHERE a.artist_id = r.id)",
    )
    .execute(pool)
    .await
    .context("pruning artists")?;
    Ok(())
}
