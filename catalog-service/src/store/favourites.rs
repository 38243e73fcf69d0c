//! Favourites: one table per kind, each row naming the item (so removing
//! the item removes its stars).

use chrono::{DateTime, Utc};
use sqlx::PgPool;
use uuid::Uuid;

use super::{
    library,
    song_row::{SONG_COLUMNS, SongRow},
};
use crate::domain::{
    Song,
    favourites::{FavouriteIds, FavouriteKind, Favourites, Starred},
    user::UserId,
};

/// The table and id column of a kind.
fn table(kind: FavouriteKind) -> (&'static str, &'static str, &'static str) {
    match kind {
        FavouriteKind::Song => ("favourite_songs", "song_id", "songs"),
        FavouriteKind::Album => ("favourite_albums", "album_id", "albums"),
        FavouriteKind::Artist => ("favourite_artists", "artist_id", "artists"),
    }
}

/// Stars an item; `false` when the catalog has no such item. Starring it
/// again keeps the first time.
pub async fn star(pool: &PgPool, user: &UserId, kind: FavouriteKind, id: Uuid) -> sqlx::Result<bool> {
    let (table, column, items) = table(kind);
    let inserted = sqlx::query_scalar::<_, bool>(&format!(
        "WITH item AS (SELECT id FROM {items} WHERE id = $2),
              added AS (INSERT INTO {table} (user_id, {column}) SELECT $1, id FROM item
                        ON CONFLICT DO NOTHING)
         SELECT EXISTS (SELECT 1 FROM item)"
    ))
    .bind(user.as_str())
    .bind(id)
    .fetch_one(pool)
    .await?;
    Ok(inserted)
}

/// Removes a star, if there was one.
pub async fn unstar(pool: &PgPool, user: &UserId, kind: FavouriteKind, id: Uuid) -> sqlx::Result<()> {
    let (table, column, _) = table(kind);
    sqlx::query(&format!(
        "DELETE FROM {table} WHERE user_id = $1 AND {column} = $2"
    ))
    .bind(user.as_str())
    .bind(id)
    .execute(pool)
    .await?;
    Ok(())
}

/// The ids a user starred of one kind, with when, newest first.
async fn starred(
    pool: &PgPool,
    user: &UserId,
    kind: FavouriteKind,
) -> sqlx::Result<Vec<(Uuid, DateTime<Utc>)>> {
    let (table, column, _) = table(kind);
    sqlx::query_as(&format!(
        "SELECT {column}, starred_at FROM {table} WHERE user_id = $1
         ORDER BY starred_at DESC, {column}"
    ))
    .bind(user.as_str())
    .fetch_all(pool)
    .await
}

/// The ids of everything a user starred, newest first.
pub async fn ids(pool: &PgPool, user: &UserId) -> sqlx::Result<FavouriteIds> {
    let only_ids = |rows: Vec<(Uuid, DateTime<Utc>)>| {
        rows.into_iter()
            .map(|(item, starred_at)| Starred { item, starred_at })
            .collect()
    };
    Ok(FavouriteIds {
        songs: only_ids(starred(pool, user, FavouriteKind::Song).await?),
        albums: only_ids(starred(pool, user, FavouriteKind::Album).await?),
        artists: only_ids(starred(pool, user, FavouriteKind::Artist).await?),
    })
}

#[derive(sqlx::FromRow)]
struct StarredSongRow {
    #[sqlx(flatten)]
    song: SongRow,
    starred_at: DateTime<Utc>,
}

/// Everything a user starred, in full, newest first.
pub async fn list(pool: &PgPool, user: &UserId) -> sqlx::Result<Favourites> {
    let rows: Vec<StarredSongRow> = sqlx::query_as(&format!(
        "SELECT {SONG_COLUMNS}, f.starred_at FROM favourite_songs f JOIN songs ON songs.id = f.song_id
         WHERE f.user_id = $1 ORDER BY f.starred_at DESC, f.song_id"
    ))
    .bind(user.as_str())
    .fetch_all(pool)
    .await?;
    let songs = rows
        .into_iter()
        .map(|row| Starred {
            item: Song::from(row.song),
            starred_at: row.starred_at,
        })
        .collect();
    let albums = starred(pool, user, FavouriteKind::Album).await?;
    let found = library::albums_by_ids(pool, &albums.iter().map(|(id, _)| *id).collect::<Vec<_>>()).await?;
    let artists = starred(pool, user, FavouriteKind::Artist).await?;
    let found_artists =
        library::artists_by_ids(pool, &artists.iter().map(|(id, _)| *id).collect::<Vec<_>>()).await?;
    Ok(Favourites {
        songs,
        albums: in_order(albums, found, |album| album.id),
        artists: in_order(artists, found_artists, |artist| artist.id),
    })
}

/// `items` in the order of `starred`, each with its time; items removed
/// meanwhile are left out.
fn in_order<T>(
    starred: Vec<(Uuid, DateTime<Utc>)>,
    items: Vec<T>,
    id: impl Fn(&T) -> Uuid,
) -> Vec<Starred<T>> {
    let mut by_id: std::collections::HashMap<Uuid, T> =
        items.into_iter().map(|item| (id(&item), item)).collect();
    starred
        .into_iter()
        .filter_map(|(key, starred_at)| by_id.remove(&key).map(|item| Starred { item, starred_at }))
        .collect()
}
