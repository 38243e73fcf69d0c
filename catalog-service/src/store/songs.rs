//! Reading songs: one by id, and pages with filters, sort and keyset
//! cursors.

use chrono::{DateTime, Utc};
use sqlx::{PgPool, Postgres, QueryBuilder};
use uuid::Uuid;

use crate::query::{Cursor, CursorValue, SongFilters, SortField, SortOrder};

/// A song as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SongRow {
    pub id: Uuid,
    pub kind: String,
    pub source_id: Option<Uuid>,
    pub path: Option<String>,
    pub url: Option<String>,
    pub file_name: String,
    pub content_type: Option<String>,
    pub size_bytes: Option<i64>,
    pub modified_at: Option<DateTime<Utc>>,
    pub title: String,
    pub artist: String,
    pub artists: Vec<String>,
    pub artist_ids: Vec<Uuid>,
    pub album: String,
    pub album_id: Uuid,
    pub album_artist: String,
    pub track_number: Option<i32>,
    pub track_total: Option<i32>,
    pub disc_number: Option<i32>,
    pub disc_total: Option<i32>,
    pub year: Option<i32>,
    pub date: Option<String>,
    pub genres: Vec<String>,
    pub duration_ms: Option<i64>,
    pub bitrate_kbps: Option<i32>,
    pub sample_rate: Option<i32>,
    pub channels: Option<i32>,
    pub codec: Option<String>,
    pub embedded_cover: bool,
    pub folder_cover: Option<String>,
    pub image_url: Option<String>,
    pub description: Option<String>,
    pub published_at: Option<DateTime<Utc>>,
    pub missing: bool,
    pub added_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Sort keys (folded by the database), for cursors.
    pub title_sort: String,
    pub artist_sort: String,
    pub album_sort: String,
}

impl SongRow {
    /// Whether a cover can be served for this song.
    pub fn has_cover(&self) -> bool {
        self.embedded_cover || self.folder_cover.is_some() || self.image_url.is_some()
    }
}

/// The columns of [`SongRow`], for `SELECT`.
pub const SONG_COLUMNS: &str = "id, kind, source_id, path, url, file_name, content_type, size_bytes,
    modified_at, title, artist, artists, artist_ids, album, album_id, album_artist, track_number,
    track_total, disc_number, disc_total, year, date, genres, duration_ms, bitrate_kbps,
    sample_rate, channels, codec, embedded_cover, folder_cover, image_url, description,
    published_at, missing, added_at, updated_at, title_sort, artist_sort, album_sort";

pub async fn get(pool: &PgPool, id: Uuid) -> sqlx::Result<Option<SongRow>> {
    sqlx::query_as(&format!("SELECT {SONG_COLUMNS} FROM songs WHERE id = $1"))
        .bind(id)
        .fetch_optional(pool)
        .await
}

/// One page of songs and the cursor of the next page, if any.
pub async fn page(
    pool: &PgPool,
    filters: &SongFilters,
    sort: SortField,
    order: SortOrder,
    limit: u32,
    after: Option<&Cursor>,
) -> sqlx::Result<(Vec<SongRow>, Option<Cursor>)> {
    let column = sort.column();
    let mut query = QueryBuilder::<Postgres>::new(format!("SELECT {SONG_COLUMNS} FROM songs WHERE true"));
    push_filters(&mut query, filters);
    if let Some(cursor) = after {
        let op = match order {
            SortOrder::Asc => ">",
            SortOrder::Desc => "<",
        };
        query.push(format!(" AND ({column}, id) {op} ("));
        match &cursor.value {
            CursorValue::Text(text) => query.push_bind(text.clone()),
            CursorValue::Int(number) => query.push_bind(*number),
            CursorValue::Time(time) => query.push_bind(*time),
        };
        query.push(", ").push_bind(cursor.id).push(")");
    }
    let direction = order.sql();
    query.push(format!(" ORDER BY {column} {direction}, id {direction} LIMIT "));
    query.push_bind(i64::from(limit) + 1);
    let mut rows: Vec<SongRow> = query.build_query_as().fetch_all(pool).await?;
    let next = if rows.len() > limit as usize {
        rows.truncate(limit as usize);
        rows.last().map(|last| Cursor::after(sort, order, last))
    } else {
        None
    };
    Ok((rows, next))
}

fn push_filters(query: &mut QueryBuilder<'_, Postgres>, filters: &SongFilters) {
    if let Some(q) = &filters.q {
        query.push(" AND ");
        crate::store::search::push_song_match(query, q);
    }
    if let Some(artist) = filters.artist {
        query
            .push(" AND artist_ids @> ARRAY[")
            .push_bind(artist)
            .push("]::uuid[]");
    }
    if let Some(album) = &filters.album {
        match album {
            crate::query::NameOrId::Id(id) => query.push(" AND album_id = ").push_bind(*id),
            crate::query::NameOrId::Name(name) => query
                .push(" AND search_fold(album) = search_fold(")
                .push_bind(name.clone())
                .push(")"),
        };
    }
    if let Some(genre) = &filters.genre {
        query
            .push(" AND EXISTS (SELECT 1 FROM unnest(genres) g WHERE lower(g) = lower(")
            .push_bind(genre.clone())
            .push("))");
    }
    if let Some(year) = filters.year {
        query.push(" AND year = ").push_bind(year);
    }
    match filters.source {
        Some(crate::query::SourceFilter::Local) => {
            query.push(" AND kind = 'local'");
        }
        Some(crate::query::SourceFilter::Remote) => {
            query.push(" AND kind = 'remote'");
        }
        Some(crate::query::SourceFilter::Source(id)) => {
            query.push(" AND source_id = ").push_bind(id);
        }
        None => {}
    }
}

/// Songs of an album in disc and track order.
pub async fn of_album(pool: &PgPool, album: Uuid) -> sqlx::Result<Vec<SongRow>> {
    sqlx::query_as(&format!(
        "SELECT {SONG_COLUMNS} FROM songs WHERE album_id = $1
         ORDER BY disc_number NULLS FIRST, track_number NULLS LAST, title_sort, id"
    ))
    .bind(album)
    .fetch_all(pool)
    .await
}
