//! Albums, artists and genres.

use sqlx::{PgPool, Postgres, QueryBuilder};
use uuid::Uuid;

use crate::domain::{
    Album, Artist, Genre, IndexedArtist,
    album_listing::{AlbumFilters, AlbumListing, AlbumPage, AlbumSort},
    cursor::NameKey,
    listing::SortOrder,
};

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

/// The figures of albums, computed for the albums of a page only: this
/// head, then a subquery `p` of album ids with their place `n`, then
/// [`ALBUM_FIGURES_TAIL`].
const ALBUM_FIGURES_HEAD: &str = "SELECT a.id, a.title, a.artist, a.artist_id, a.year,
    s.song_count, s.duration_ms, coalesce(s.has_cover, false) AS has_cover,
    search_fold(a.title) AS sort_key
    FROM (";

const ALBUM_FIGURES_TAIL: &str = ") p JOIN albums a ON a.id = p.id
    CROSS JOIN LATERAL (
        SELECT count(*) AS song_count, sum(duration_ms)::bigint AS duration_ms,
               bool_or(embedded_cover OR folder_cover IS NOT NULL OR image_url IS NOT NULL) AS has_cover
        FROM songs WHERE album_id = a.id
    ) s
    ORDER BY p.n";

/// Albums picked by `ids_where` (a condition on `a`, binding `$1`) with
/// their figures.
fn albums_where(ids_where: &str) -> String {
    format!("{ALBUM_FIGURES_HEAD}SELECT a.id, 0 AS n FROM albums a WHERE {ids_where}{ALBUM_FIGURES_TAIL}")
}

/// The sort keys of an album order, each with the direction asked.
fn order_keys(sort: AlbumSort, order: SortOrder) -> String {
    let keys: &[&str] = match sort {
        AlbumSort::Title => &["search_fold(a.title)", "a.id"],
        AlbumSort::Artist => &["search_fold(a.artist)", "search_fold(a.title)", "a.id"],
        AlbumSort::Added => &["a.added_at", "a.id"],
        AlbumSort::Year => &["a.year", "search_fold(a.title)", "a.id"],
        AlbumSort::Random => &["random()"],
    };
    let direction = match order {
        SortOrder::Asc => "",
        SortOrder::Desc => " DESC",
    };
    keys.iter()
        .map(|key| format!("{key}{direction}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Pushes ` AND <condition>` for every filter of `filters`.
fn push_filters(query: &mut QueryBuilder<'_, Postgres>, filters: &AlbumFilters) {
    if let Some(artist) = filters.artist {
        query
            .push(" AND (a.artist_id = ")
            .push_bind(artist)
            .push(" OR EXISTS (SELECT 1 FROM songs x WHERE x.album_id = a.id AND x.artist_ids @> ARRAY[")
            .push_bind(artist)
            .push("]::uuid[]))");
    }
    if let Some(genre) = &filters.genre {
        query
            .push(
                " AND EXISTS (SELECT 1 FROM songs x, unnest(x.genres) g
                   WHERE x.album_id = a.id AND lower(g) = lower(",
            )
            .push_bind(genre.clone())
            .push("))");
    }
    if let Some((from, to)) = filters.years {
        query
            .push(" AND a.year BETWEEN ")
            .push_bind(from)
            .push(" AND ")
            .push_bind(to);
    }
}

/// A page of albums in the order, filters and start of `listing`; its
/// figures are computed for the albums of the page only.
pub async fn albums(pool: &PgPool, listing: &AlbumListing) -> sqlx::Result<Vec<Album>> {
    let unfiltered = listing.filters.artist.is_none()
        && listing.filters.genre.is_none()
        && listing.filters.years.is_none();
    if listing.sort == AlbumSort::Random && unfiltered {
        let sample = random_sample(pool, listing.limit).await?;
        // A small library leaves gaps between ids that probes miss: drawn
        // in full instead (cheap at that size).
        if sample.len() >= listing.limit as usize {
            return Ok(sample);
        }
    }
    let keys = order_keys(listing.sort, listing.order);
    let mut query = QueryBuilder::<Postgres>::new(ALBUM_FIGURES_HEAD);
    query.push("SELECT id, row_number() OVER () AS n FROM (SELECT a.id FROM albums a WHERE true");
    if listing.sort == AlbumSort::Year {
        query.push(" AND a.year IS NOT NULL");
    }
    push_filters(&mut query, &listing.filters);
    if let AlbumPage::After(NameKey(key, id)) = &listing.start {
        query
            .push(" AND (search_fold(a.title), a.id) > (")
            .push_bind(key.clone())
            .push(", ")
            .push_bind(*id)
            .push(")");
    }
    query
        .push(format!(" ORDER BY {keys} LIMIT "))
        .push_bind(i64::from(listing.limit));
    if let AlbumPage::Offset(offset) = listing.start {
        query.push(" OFFSET ").push_bind(i64::from(offset));
    }
    query.push(") ordered").push(ALBUM_FIGURES_TAIL);
    let rows: Vec<AlbumRow> = query.build_query_as().fetch_all(pool).await?;
    Ok(rows.into_iter().map(Album::from).collect())
}

/// About `limit` albums drawn at random by probing the id index at random
/// places (album ids are uniform UUIDs): a few index probes instead of an
/// order over every album. Fewer when probes land on the same album. Each
/// probe's place is drawn in its own row, outside the probe, so that it is
/// one value the index is searched for (a random call inside the probe
/// would be drawn anew for every album it passes).
async fn random_sample(pool: &PgPool, limit: u32) -> sqlx::Result<Vec<Album>> {
    let sql = format!(
        "{ALBUM_FIGURES_HEAD}SELECT id, row_number() OVER (ORDER BY random()) AS n FROM (
            SELECT DISTINCT pick.id
            FROM (SELECT gen_random_uuid() AS at FROM generate_series(1, $1)) probe
            CROSS JOIN LATERAL (
                SELECT a.id FROM albums a WHERE a.id >= probe.at ORDER BY a.id LIMIT 1
            ) pick
         ) drawn ORDER BY n LIMIT $2{ALBUM_FIGURES_TAIL}"
    );
    // Half as many again as wanted: on a library large enough for probes,
    // two landing on one album are rare; a short draw falls back anyway.
    let probes = i64::from(limit) + i64::from(limit / 2) + 4;
    let rows: Vec<AlbumRow> = sqlx::query_as(&sql)
        .bind(probes)
        .bind(i64::from(limit))
        .fetch_all(pool)
        .await?;
    Ok(rows.into_iter().map(Album::from).collect())
}

pub async fn album(pool: &PgPool, id: Uuid) -> sqlx::Result<Option<Album>> {
    let row: Option<AlbumRow> = sqlx::query_as(&albums_where("a.id = $1"))
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
pub async fn artists(
    pool: &PgPool,
    after: Option<&NameKey>,
    offset: u32,
    limit: u32,
) -> sqlx::Result<Vec<Artist>> {
    let mut query = QueryBuilder::<Postgres>::new(ARTIST_SELECT);
    if let Some(NameKey(key, id)) = after {
        query
            .push(" WHERE (r.search_text, r.id) > (")
            .push_bind(key.clone())
            .push(", ")
            .push_bind(*id)
            .push(")");
    }
    query
        .push(" ORDER BY r.search_text, r.id LIMIT ")
        .push_bind(i64::from(limit));
    if offset > 0 {
        query.push(" OFFSET ").push_bind(i64::from(offset));
    }
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

/// Every artist in name order with their number of albums, in one
/// statement (the albums counted once, grouped, not per artist).
pub async fn artist_index(pool: &PgPool) -> sqlx::Result<Vec<IndexedArtist>> {
    let rows: Vec<(Uuid, String, i64)> = sqlx::query_as(
        "SELECT r.id, r.name, coalesce(c.album_count, 0)
         FROM artists r
         LEFT JOIN (SELECT artist_id, count(*) AS album_count FROM albums GROUP BY artist_id) c
           ON c.artist_id = r.id
         ORDER BY r.search_text, r.id",
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, name, album_count)| IndexedArtist {
            id,
            name,
            album_count,
        })
        .collect())
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
    let rows: Vec<AlbumRow> = sqlx::query_as(&albums_where("a.id = ANY($1)"))
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
