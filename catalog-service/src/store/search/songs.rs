//! Songs as you type: title prefixes, artist prefixes, word prefixes of
//! title, artist and album, then typos (see the parent module).

use sqlx::PgPool;

use super::{TEXT_CTE, Tiers, hits, prefix_tsquery, starts_with_text, typo_cte};
use crate::store::songs::{SONG_COLUMNS, SongRow};

/// Heap pages read in physical order for word-prefix hits before the GIN
/// index is asked (several hundred songs). A common word ("song", "the")
/// fills `limit` from these pages, where the index would first gather every
/// song that has it; a rare one costs these pages and a small index probe.
const PROBE_PAGES: u32 = 64;

/// The best `limit` songs for `q`, best first.
pub async fn songs(pool: &PgPool, q: &str, limit: i64) -> sqlx::Result<Vec<SongRow>> {
    sqlx::query_as(&sql(Tiers::of(q)))
        .bind(q)
        .bind(prefix_tsquery(q))
        .bind(limit)
        .fetch_all(pool)
        .await
}

/// The statement for the tiers that run; `$1` the text, `$2` its prefix
/// query, `$3` the limit.
fn sql(tiers: Tiers) -> String {
    let not_prefix = "NOT starts_with(s.title_sort, (SELECT f FROM q))
                      AND NOT starts_with(s.artist_sort, (SELECT f FROM q))";
    let words = if tiers.words {
        format!(
            "UNION ALL
             (SELECT s.id, 3 FROM songs s
              WHERE s.ctid < '({PROBE_PAGES},0)'::tid
                AND s.search_vector @@ (SELECT tq FROM q) AND {not_prefix})
             UNION ALL
             (SELECT s.id, 3 FROM songs s
              WHERE s.search_vector @@ (SELECT tq FROM q)
                AND s.ctid >= '({PROBE_PAGES},0)'::tid AND {not_prefix})"
        )
    } else {
        String::new()
    };
    let typo = if tiers.typos {
        typo_cte("songs", 4)
    } else {
        String::new()
    };
    let columns = SONG_COLUMNS.replace('\n', " ");
    format!(
        "WITH {TEXT_CTE},
         cheap AS MATERIALIZED (
             SELECT id, tier FROM (
                 (SELECT s.id, 1 AS tier FROM songs s
                  WHERE {title}
                  ORDER BY s.title_sort COLLATE \"C\" LIMIT $3)
                 UNION ALL
                 (SELECT s.id, 2 FROM songs s
                  WHERE {artist} AND NOT starts_with(s.title_sort, (SELECT f FROM q))
                  ORDER BY s.artist_sort COLLATE \"C\" LIMIT $3)
                 {words}
             ) found
             LIMIT $3)
         {typo}
         SELECT {columns} FROM songs JOIN {hits} hit USING (id)
         ORDER BY hit.tier, hit.similarity DESC, songs.title_sort, songs.id
         LIMIT $3",
        title = starts_with_text("s.title_sort"),
        artist = starts_with_text("s.artist_sort"),
        hits = hits(tiers),
    )
}
