//! Batched writes: a whole batch of songs is one statement, sent as a JSON
//! array and expanded with `jsonb_to_recordset`, with its artists and albums
//! upserted alongside.

use std::collections::BTreeMap;

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
    let albums = albums_of(songs);
    upsert_artists(tx, songs, &albums).await?;
    upsert_albums(tx, &albums).await
}

/// An album as a batch writes it.
struct AlbumRow<'a> {
    title: &'a str,
    artist: &'a str,
    artist_id: Uuid,
    year: Option<i32>,
}

/// Each album of `songs` once, by id, as its earliest dated song names
/// it (the first such song when several share that year or none has one).
fn albums_of<'a>(songs: &[&'a NewSong]) -> BTreeMap<Uuid, AlbumRow<'a>> {
    let mut albums: BTreeMap<Uuid, AlbumRow<'a>> = BTreeMap::new();
    for song in songs {
        let earlier = |known: &AlbumRow<'_>| match (song.year, known.year) {
            (Some(year), Some(known)) => year < known,
            (year, known) => year.is_some() && known.is_none(),
        };
        if albums.get(&song.album_id).is_some_and(|known| !earlier(known)) {
            continue;
        }
        let row = AlbumRow {
            title: &song.album,
            artist: &song.album_artist,
            artist_id: crate::domain::ids::artist_id(&song.album_artist),
            year: song.year,
        };
        albums.insert(song.album_id, row);
    }
    albums
}

/// Every artist of the batch, credited on a track or as an album artist
/// (who may credit no track of their own, e.g. "Various Artists"), in one
/// statement in id order: batches written at once then take their locks in
/// the same order and cannot deadlock.
async fn upsert_artists(
    tx: &mut sqlx::PgConnection,
    songs: &[&NewSong],
    albums: &BTreeMap<Uuid, AlbumRow<'_>>,
) -> anyhow::Result<()> {
    let mut artists = BTreeMap::new();
    for song in songs {
        for (id, name) in song.artist_ids.iter().zip(&song.artists) {
            artists.entry(*id).or_insert(name.as_str());
        }
    }
    for album in albums.values() {
        artists.entry(album.artist_id).or_insert(album.artist);
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
async fn upsert_albums(
    tx: &mut sqlx::PgConnection,
    albums: &BTreeMap<Uuid, AlbumRow<'_>>,
) -> anyhow::Result<()> {
    let ids: Vec<Uuid> = albums.keys().copied().collect();
    let titles: Vec<&str> = albums.values().map(|album| album.title).collect();
    let artists: Vec<&str> = albums.values().map(|album| album.artist).collect();
    let artist_ids: Vec<Uuid> = albums.values().map(|album| album.artist_id).collect();
    let years: Vec<Option<i32>> = albums.values().map(|album| album.year).collect();
    sqlx::query(
        "INSERT INTO albums (id, title, artist, artist_id, year)
         SELECT id, title, artist, artist_id, year
         FROM unnest($1::uuid[], $2::text[], $3::text[], $4::uuid[], $5::int[])
              AS a(id, title, artist, artist_id, year)
         ORDER BY id
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

#[cfg(test)]
mod tests {
    use super::*;

    fn song(album: &str, year: Option<i32>) -> NewSong {
        NewSong {
            album: album.into(),
            album_artist: "Björk".into(),
            album_id: crate::domain::ids::album_id("Björk", "Homogenic"),
            year,
            ..NewSong::default()
        }
    }

    #[test]
    fn an_album_is_written_once_as_its_earliest_dated_song_names_it() {
        let songs = [
            song("homogenic", None),
            song("Homogenic", Some(1998)),
            song("HOMOGENIC", Some(1997)),
            song("Homogenic (remaster)", Some(1997)),
        ];
        let songs: Vec<&NewSong> = songs.iter().collect();
        let albums = albums_of(&songs);
        assert_eq!(albums.len(), 1);
        let album = albums.values().next().expect("one album");
        assert_eq!((album.title, album.year), ("HOMOGENIC", Some(1997)));
        assert_eq!(album.artist_id, crate::domain::ids::artist_id("Björk"));
    }

    #[test]
    fn an_undated_album_is_named_by_its_first_song() {
        let songs = [song("homogenic", None), song("Homogenic", None)];
        let songs: Vec<&NewSong> = songs.iter().collect();
        let album = albums_of(&songs).into_values().next().expect("one album");
        assert_eq!((album.title, album.year), ("homogenic", None));
    }
}
