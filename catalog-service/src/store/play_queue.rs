//! The saved play queue: one row per user and its songs in order.

use chrono::{DateTime, Utc};
use sqlx::PgPool;
use uuid::Uuid;

use super::song_row::{SONG_COLUMNS, SongRow, songs};
use crate::domain::{
    play_queue::{NewPlayQueue, PlayQueue},
    user::UserId,
};

/// The `play_queues` row of a user.
#[derive(sqlx::FromRow)]
struct QueueRow {
    current_song: Option<Uuid>,
    position_ms: i64,
    changed_at: DateTime<Utc>,
    changed_by: Option<String>,
}

/// The user's queue; the empty one when never saved.
pub async fn get(pool: &PgPool, user: &UserId) -> sqlx::Result<PlayQueue> {
    let saved: Option<QueueRow> = sqlx::query_as(
        "SELECT current_song, position_ms, changed_at, changed_by FROM play_queues WHERE user_id = $1",
    )
    .bind(user.as_str())
    .fetch_optional(pool)
    .await?;
    let Some(saved) = saved else {
        return Ok(PlayQueue::default());
    };
    let rows: Vec<SongRow> = sqlx::query_as(&format!(
        "SELECT {SONG_COLUMNS} FROM play_queue_songs q JOIN songs ON songs.id = q.song_id
         WHERE q.user_id = $1 ORDER BY q.position"
    ))
    .bind(user.as_str())
    .fetch_all(pool)
    .await?;
    Ok(PlayQueue {
        songs: songs(rows),
        current: saved.current_song,
        position_ms: saved.position_ms,
        changed_at: Some(saved.changed_at),
        changed_by: saved.changed_by,
    })
}

/// Replaces the user's queue.
pub async fn save(pool: &PgPool, queue: &NewPlayQueue) -> sqlx::Result<()> {
    let mut tx = pool.begin().await?;
    sqlx::query(
        "INSERT INTO play_queues (user_id, current_song, position_ms, changed_at, changed_by)
         VALUES ($1, $2, $3, now(), $4)
         ON CONFLICT (user_id) DO UPDATE SET current_song = $2, position_ms = $3,
             changed_at = now(), changed_by = $4",
    )
    .bind(queue.user.as_str())
    .bind(queue.current)
    .bind(queue.position_ms)
    .bind(queue.client.as_deref())
    .execute(&mut *tx)
    .await?;
    sqlx::query("DELETE FROM play_queue_songs WHERE user_id = $1")
        .bind(queue.user.as_str())
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "INSERT INTO play_queue_songs (user_id, position, song_id)
         SELECT $1, (x.n - 1)::integer, x.id FROM unnest($2::uuid[]) WITH ORDINALITY AS x(id, n)",
    )
    .bind(queue.user.as_str())
    .bind(&queue.songs)
    .execute(&mut *tx)
    .await?;
    tx.commit().await
}
