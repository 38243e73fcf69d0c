//! Reading songs: one by id, and pages with filters, sort and keyset
//! cursors.

use sqlx::{PgPool, Postgres, QueryBuilder};
use uuid::Uuid;

use super::song_row::{SONG_COLUMNS, SongRow, songs};
use crate::domain::{
    Song,
    listing::{
        CursorValue, NameOrId, SongCursor, SongFilters, SongListing, SortField, SortOrder, SourceFilter,
    },
};

pub async fn get(pool: &PgPool, id: Uuid) -> sqlx::Result<Option<Song>> {
    let row: Option<SongRow> = sqlx::query_as(&format!("SELECT {SONG_COLUMNS} FROM songs WHERE id = $1"))
        .bind(id)
        .fetch_optional(pool)
        .await?;
    Ok(row.map(Song::from))
}

/// The first of `ids` the catalog does not have.
pub async fn first_unknown(pool: &PgPool, ids: &[Uuid]) -> sqlx::Result<Option<Uuid>> {
    sqlx::query_scalar(
        "SELECT x.id FROM unnest($1::uuid[]) WITH ORDINALITY AS x(id, n)
         WHERE NOT EXISTS (SELECT 1 FROM songs s WHERE s.id = x.id) ORDER BY x.n LIMIT 1",
    )
    .bind(ids)
    .fetch_optional(pool)
    .await
}

/// The lyrics embedded in a song's file, if any (kept out of the song row
/// so that lists never carry them).
pub async fn lyrics(pool: &PgPool, id: Uuid) -> sqlx::Result<Option<String>> {
    let found: Option<(Option<String>,)> = sqlx::query_as("SELECT lyrics FROM songs WHERE id = $1")
        .bind(id)
        .fetch_optional(pool)
        .await?;
    Ok(found.and_then(|(lyrics,)| lyrics))
}

/// The column a listing is sorted by.
fn sort_column(sort: SortField) -> &'static str {
    match sort {
        SortField::Title => "title_sort",
        SortField::Artist => "artist_sort",
        SortField::Album => "album_sort",
        SortField::Year => "year_sort",
        SortField::Added => "added_at",
        SortField::Duration => "duration_sort",
        SortField::Random => "random()",
    }
}

/// One page of songs and the cursor of the next page, if any.
pub async fn page(pool: &PgPool, listing: &SongListing) -> sqlx::Result<(Vec<Song>, Option<SongCursor>)> {
    let (sort, order, limit) = (listing.sort, listing.order, listing.limit);
    let column = sort_column(sort);
    let mut query = QueryBuilder::<Postgres>::new(format!("SELECT {SONG_COLUMNS} FROM songs WHERE true"));
    push_filters(&mut query, &listing.filters);
    if sort == SortField::Random {
        // A sample: no keyset, so no next page.
        query
            .push(" ORDER BY random() LIMIT ")
            .push_bind(i64::from(limit));
        // A random sample has no place to skip to: the offset is ignored.
        let rows: Vec<SongRow> = query.build_query_as().fetch_all(pool).await?;
        return Ok((songs(rows), None));
    }
    if let Some(cursor) = &listing.after {
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
    let direction = match order {
        SortOrder::Asc => "ASC",
        SortOrder::Desc => "DESC",
    };
    query.push(format!(" ORDER BY {column} {direction}, id {direction} LIMIT "));
    query.push_bind(i64::from(limit) + 1);
    if listing.offset > 0 {
        query.push(" OFFSET ").push_bind(i64::from(listing.offset));
    }
    let rows: Vec<SongRow> = query.build_query_as().fetch_all(pool).await?;
    let mut page = songs(rows);
    let next = if page.len() > limit as usize {
        page.truncate(limit as usize);
        page.last().map(|last| SongCursor::after(sort, order, last))
    } else {
        None
    };
    Ok((page, next))
}

fn push_filters(query: &mut QueryBuilder<'_, Postgres>, filters: &SongFilters) {
    if let Some(q) = &filters.q {
        query.push(" AND ");
        super::search::push_song_match(query, q);
    }
    if let Some(artist) = filters.artist {
        query
            .push(" AND artist_ids @> ARRAY[")
            .push_bind(artist)
            .push("]::uuid[]");
    }
    if let Some(album) = &filters.album {
        match album {
            NameOrId::Id(id) => query.push(" AND album_id = ").push_bind(*id),
            NameOrId::Name(name) => query
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
    match filters.years {
        Some((from, to)) if from == to => {
            query.push(" AND year = ").push_bind(from);
        }
        Some((from, to)) => {
            query
                .push(" AND year BETWEEN ")
                .push_bind(from)
                .push(" AND ")
                .push_bind(to);
        }
        None => {}
    }
    match filters.source {
        Some(SourceFilter::Kind(kind)) => {
            query.push(" AND kind = ").push_bind(kind);
        }
        Some(SourceFilter::Source(id)) => {
            query.push(" AND source_id = ").push_bind(id);
        }
        None => {}
    }
}

/// Songs of an album in disc and track order.
pub async fn of_album(pool: &PgPool, album: Uuid) -> sqlx::Result<Vec<Song>> {
    let rows: Vec<SongRow> = sqlx::query_as(&format!(
        "SELECT {SONG_COLUMNS} FROM songs WHERE album_id = $1
         ORDER BY disc_number NULLS FIRST, track_number NULLS LAST, title_sort, id"
    ))
    .bind(album)
    .fetch_all(pool)
    .await?;
    Ok(songs(rows))
}
