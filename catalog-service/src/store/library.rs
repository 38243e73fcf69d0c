//! Albums, artists and genres.

use sqlx::{PgPool, Postgres, QueryBuilder};
use uuid::Uuid;

/// An album with figures computed from its songs.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AlbumRow {
    pub id: Uuid,
    pub title: String,
    pub artist: String,
    pub artist_id: Uuid,
    pub year: Option<i32>,
    pub song_count: i64,
    pub duration_ms: Option<i64>,
    pub has_cover: bool,
    pub sort_key: String,
}

/// An artist with figures computed from its songs and albums.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ArtistRow {
    pub id: Uuid,
    pub name: String,
    pub song_count: i64,
    pub album_count: i64,
    pub sort_key: String,
}

const ALBUM_SELECT: &str = "SELECT a.id, a.title, a.artist, a.artist_id, a.year,
    s.song_count, s.duration_ms, coalesce(s.has_cover, false) AS has_cover,
    search_fold(a.title) AS sort_key
    FROM albums a
    CROSS JOIN LATERAL (
        SELECT count(*) AS song_count, sum(duration_ms)::bigint AS duration_ms,
               bool_or(embedded_cover OR folder_cover IS NOT NULL OR image_url IS NOT NULL) AS has_cover
        FROM songs WHERE album_id = a.id
    ) s";

/// A page of albums by title, optionally of one artist, after a keyset.
pub async fn albums(
    pool: &PgPool,
    artist: Option<Uuid>,
    after: Option<&(String, Uuid)>,
    limit: u32,
) -> sqlx::Result<Vec<AlbumRow>> {
    let mut query = QueryBuilder::<Postgres>::new(ALBUM_SELECT);
    query.push(" WHERE true");
    if let Some(artist) = artist {
        query
            .push(" AND (a.artist_id = ")
            .push_bind(artist)
            .push(" OR EXISTS (SELECT 1 FROM songs x WHERE x.album_id = a.id AND x.artist_ids @> ARRAY[")
            .push_bind(artist)
            .push("]::uuid[]))");
    }
    if let Some((key, id)) = after {
        query
            .push(" AND (search_fold(a.title), a.id) > (")
            .push_bind(key.clone())
            .push(", ")
            .push_bind(*id)
            .push(")");
    }
    query
        .push(" ORDER BY search_fold(a.title), a.id LIMIT ")
        .push_bind(i64::from(limit));
    query.build_query_as().fetch_all(pool).await
}

pub async fn album(pool: &PgPool, id: Uuid) -> sqlx::Result<Option<AlbumRow>> {
    sqlx::query_as(&format!("{ALBUM_SELECT} WHERE a.id = $1"))
        .bind(id)
        .fetch_optional(pool)
        .await
}

const ARTIST_SELECT: &str = "SELECT r.id, r.name, search_fold(r.name) AS sort_key,
    (SELECT count(*) FROM songs s WHERE s.artist_ids @> ARRAY[r.id]) AS song_count,
    (SELECT count(*) FROM albums a WHERE a.artist_id = r.id) AS album_count
    FROM artists r";

/// A page of artists by name after a keyset.
pub async fn artists(
    pool: &PgPool,
    after: Option<&(String, Uuid)>,
    limit: u32,
) -> sqlx::Result<Vec<ArtistRow>> {
    let mut query = QueryBuilder::<Postgres>::new(ARTIST_SELECT);
    if let Some((key, id)) = after {
        query
            .push(" WHERE (search_fold(r.name), r.id) > (")
            .push_bind(key.clone())
            .push(", ")
            .push_bind(*id)
            .push(")");
    }
    query
        .push(" ORDER BY search_fold(r.name), r.id LIMIT ")
        .push_bind(i64::from(limit));
    query.build_query_as().fetch_all(pool).await
}

pub async fn artist(pool: &PgPool, id: Uuid) -> sqlx::Result<Option<ArtistRow>> {
    sqlx::query_as(&format!("{ARTIST_SELECT} WHERE r.id = $1"))
        .bind(id)
        .fetch_optional(pool)
        .await
}

/// Every genre with its number of songs, by name.
pub async fn genres(pool: &PgPool) -> sqlx::Result<Vec<(String, i64)>> {
    sqlx::query_as(
        "SELECT g, count(*) FROM songs, unnest(genres) AS g
         GROUP BY g ORDER BY search_fold(g), g",
    )
    .fetch_all(pool)
    .await
}
