//! Playlists and their ordered songs. Writes that touch the songs lock the
//! playlist row first, so two appends never take the same position.

use chrono::{DateTime, Utc};
use sqlx::{PgPool, Postgres, Transaction};
use uuid::Uuid;

use super::song_row::{SONG_COLUMNS, SongRow, songs};
use crate::domain::{
    Song,
    playlist::{MAX_PLAYLIST_SONGS, NewPlaylist, Playlist, PlaylistChange},
    user::UserId,
};

#[derive(sqlx::FromRow)]
struct PlaylistRow {
    id: Uuid,
    owner: String,
    name: String,
    comment: Option<String>,
    public: bool,
    song_count: i64,
    duration_ms: i64,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl From<PlaylistRow> for Playlist {
    fn from(row: PlaylistRow) -> Self {
        let PlaylistRow {
            id,
            owner,
            name,
            comment,
            public,
            song_count,
            duration_ms,
            created_at,
            updated_at,
        } = row;
        Self {
            id,
            owner,
            name,
            comment,
            public,
            song_count,
            duration_ms,
            created_at,
            updated_at,
        }
    }
}

const PLAYLIST_SELECT: &str = "SELECT p.id, p.owner, p.name, p.comment, p.public, p.created_at, p.updated_at,
    f.song_count, f.duration_ms
    FROM playlists p
    CROSS JOIN LATERAL (
        SELECT count(*) AS song_count, coalesce(sum(s.duration_ms), 0)::bigint AS duration_ms
        FROM playlist_songs ps JOIN songs s ON s.id = ps.song_id WHERE ps.playlist_id = p.id
    ) f";

pub async fn get(pool: &PgPool, id: Uuid) -> sqlx::Result<Option<Playlist>> {
    let row: Option<PlaylistRow> = sqlx::query_as(&format!("{PLAYLIST_SELECT} WHERE p.id = $1"))
        .bind(id)
        .fetch_optional(pool)
        .await?;
    Ok(row.map(Playlist::from))
}

/// The user's own playlists and everyone's public ones, by name.
pub async fn visible_to(pool: &PgPool, user: &UserId) -> sqlx::Result<Vec<Playlist>> {
    let rows: Vec<PlaylistRow> = sqlx::query_as(&format!(
        "{PLAYLIST_SELECT} WHERE p.owner = $1 OR p.public ORDER BY search_fold(p.name), p.id"
    ))
    .bind(user.as_str())
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(Playlist::from).collect())
}

/// The songs of a playlist in order.
pub async fn songs_of(pool: &PgPool, id: Uuid) -> sqlx::Result<Vec<Song>> {
    let rows: Vec<SongRow> = sqlx::query_as(&format!(
        "SELECT {SONG_COLUMNS} FROM playlist_songs ps JOIN songs ON songs.id = ps.song_id
         WHERE ps.playlist_id = $1 ORDER BY ps.position"
    ))
    .bind(id)
    .fetch_all(pool)
    .await?;
    Ok(songs(rows))
}

/// Creates a playlist with its songs; answers its id.
pub async fn create(pool: &PgPool, new: &NewPlaylist) -> sqlx::Result<Uuid> {
    let id = Uuid::now_v7();
    let mut tx = pool.begin().await?;
    sqlx::query("INSERT INTO playlists (id, owner, name, comment, public) VALUES ($1, $2, $3, $4, $5)")
        .bind(id)
        .bind(new.owner.as_str())
        .bind(new.name.as_str())
        .bind(new.comment.as_deref())
        .bind(new.public)
        .execute(&mut *tx)
        .await?;
    insert_songs(&mut tx, id, 0, new.songs.ids()).await?;
    tx.commit().await?;
    Ok(id)
}

/// Changes the fields given; `false` when the playlist is gone.
pub async fn update(pool: &PgPool, id: Uuid, change: &PlaylistChange) -> sqlx::Result<bool> {
    let updated = sqlx::query(
        "UPDATE playlists SET name = coalesce($2, name),
             comment = CASE WHEN $3 THEN $4 ELSE comment END,
             public = coalesce($5, public), updated_at = now()
         WHERE id = $1",
    )
    .bind(id)
    .bind(change.name.as_ref().map(|name| name.as_str()))
    .bind(change.comment.is_some())
    .bind(change.comment.as_ref().and_then(|comment| comment.as_deref()))
    .bind(change.public)
    .execute(pool)
    .await?;
    Ok(updated.rows_affected() == 1)
}

/// How a change of songs ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SongsChanged {
    Done,
    /// The playlist is gone.
    Missing,
    /// It would hold more than [`MAX_PLAYLIST_SONGS`].
    TooMany,
}

/// Replaces the whole order (`append` false) or appends.
pub async fn set_songs(pool: &PgPool, id: Uuid, ids: &[Uuid], append: bool) -> sqlx::Result<SongsChanged> {
    let mut tx = pool.begin().await?;
    let locked: Option<Uuid> = sqlx::query_scalar("SELECT id FROM playlists WHERE id = $1 FOR UPDATE")
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
    if locked.is_none() {
        return Ok(SongsChanged::Missing);
    }
    let (count, next): (i64, i32) = sqlx::query_as(
        "SELECT count(*), coalesce(max(position) + 1, 0) FROM playlist_songs WHERE playlist_id = $1",
    )
    .bind(id)
    .fetch_one(&mut *tx)
    .await?;
    let total = i64::try_from(ids.len()).unwrap_or(i64::MAX);
    let start = if append {
        if count.saturating_add(total) > MAX_PLAYLIST_SONGS {
            return Ok(SongsChanged::TooMany);
        }
        next
    } else {
        sqlx::query("DELETE FROM playlist_songs WHERE playlist_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        0
    };
    insert_songs(&mut tx, id, start, ids).await?;
    sqlx::query("UPDATE playlists SET updated_at = now() WHERE id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(SongsChanged::Done)
}

async fn insert_songs(
    tx: &mut Transaction<'_, Postgres>,
    id: Uuid,
    start: i32,
    ids: &[Uuid],
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO playlist_songs (playlist_id, position, song_id)
         SELECT $1, $2 + (x.n - 1)::integer, x.id FROM unnest($3::uuid[]) WITH ORDINALITY AS x(id, n)",
    )
    .bind(id)
    .bind(start)
    .bind(ids)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Deletes a playlist and its songs; `false` when it was already gone.
pub async fn delete(pool: &PgPool, id: Uuid) -> sqlx::Result<bool> {
    let deleted = sqlx::query("DELETE FROM playlists WHERE id = $1")
        .bind(id)
        .execute(pool)
        .await?;
    Ok(deleted.rows_affected() == 1)
}
