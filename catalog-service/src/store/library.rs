//! Albums, artists and genres.

use sqlx::{PgPool, Postgres, QueryBuilder};
use uuid::Uuid;

use crate::domain::{Album, Artist, Genre, cursor::NameKey};

/// The row behind [`Album`].
#[derive(sqlx::FromRow)]
struct AlbumRow {
    id: Uuid,
    title: String,
    artist: String,
    artist_id: Uuid,
    year: Option<i32>,
    song_count: i64,
    duration_ms: Option<i64>,
    has_cover: bool,
    sort_key: String,
}

/// The row behind [`Artist`].
#[derive(sqlx::FromRow)]
struct ArtistRow {
    id: Uuid,
    name: String,
    song_count: i64,
    album_count: i64,
    sort_key: String,
}

impl From<AlbumRow> for Album {
    fn from(row: AlbumRow) -> Self {
        let AlbumRow {
            id,
            title,
            artist,
            artist_id,
            year,
            song_count,
            duration_ms,
            has_cover,
            sort_key,
        } = row;
        Self {
            id,
            title,
            artist,
            artist_id,
            year,
            song_count,
            duration_ms,
            has_cover,
            sort_key,
        }
    }
}

impl From<ArtistRow> for Artist {
    fn from(row: ArtistRow) -> Self {
        let ArtistRow {
            id,
            name,
            song_count,
            album_count,
            sort_key,
        } = row;
        Self {
            id,
            name,
            song_count,
            album_count,
            sort_key,
        }
    }
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
    after: Option<&NameKey>,
    limit: u32,
) -> sqlx::Result<Vec<Album>> {
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
    if let Some(NameKey(key, id)) = after {
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
    let rows: Vec<AlbumRow> = query.build_query_as().fetch_all(pool).await?;
    Ok(rows.into_iter().map(Album::from).collect())
}

pub async fn album(pool: &PgPool, id: Uuid) -> sqlx::Result<Option<Album>> {
    let row: Option<AlbumRow> = sqlx::query_as(&format!("{ALBUM_SELECT} WHERE a.id = $1"))
        .bind(id)
        .fetch_optional(pool)
        .await?;
    Ok(row.map(Album::from))
}

const ARTIST_SELECT: &str = "SELECT r.id, r.name, search_fold(r.name) AS sort_key,
    (SELECT count(*) FROM songs s WHERE s.artist_ids @> ARRAY[r.id]) AS song_count,
    (SELECT count(*) FROM albums a WHERE a.artist_id = r.id) AS album_count
    FROM artists r";

/// A page of artists by name after a keyset.
pub async fn artists(pool: &PgPool, after: Option<&NameKey>, limit: u32) -> sqlx::Result<Vec<Artist>> {
    let mut query = QueryBuilder::<Postgres>::new(ARTIST_SELECT);
    if let Some(NameKey(key, id)) = after {
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
    let rows: Vec<ArtistRow> = query.build_query_as().fetch_all(pool).await?;
    Ok(rows.into_iter().map(Artist::from).collect())
}

pub async fn artist(pool: &PgPool, id: Uuid) -> sqlx::Result<Option<Artist>> {
    let row: Option<ArtistRow> = sqlx::query_as(&format!("{ARTIST_SELECT} WHERE r.id = $1"))
        .bind(id)
        .fetch_optional(pool)
        .await?;
    Ok(row.map(Artist::from))
}

/// Every genre with its number of songs, by name.
pub async fn genres(pool: &PgPool) -> sqlx::Result<Vec<Genre>> {
    let rows: Vec<(String, i64)> = sqlx::query_as(
        "SELECT g, count(*) FROM songs, unnest(genres) AS g
         GROUP BY g ORDER BY search_fold(g), g",
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(name, song_count)| Genre { name, song_count })
        .collect())
}

/// The albums of `ids` that exist, in no particular order.
pub async fn albums_by_ids(pool: &PgPool, ids: &[Uuid]) -> sqlx::Result<Vec<Album>> {
    let rows: Vec<AlbumRow> = sqlx::query_as(&format!("{ALBUM_SELECT} WHERE a.id = ANY($1)"))
        .bind(ids)
        .fetch_all(pool)
        .await?;
    Ok(rows.into_iter().map(Album::from).collect())
}

/// The artists of `ids` that exist, in no particular order.
pub async fn artists_by_ids(pool: &PgPool, ids: &[Uuid]) -> sqlx::Result<Vec<Artist>> {
    let rows: Vec<ArtistRow> = sqlx::query_as(&format!("{ARTIST_SELECT} WHERE r.id = ANY($1)"))
        .bind(ids)
        .fetch_all(pool)
        .await?;
    Ok(rows.into_iter().map(Artist::from).collect())
}
