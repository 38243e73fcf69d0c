//! Songs as you type: title prefixes, artist prefixes, word prefixes of
//! title, artist and album, then typos (see the parent module).

use sqlx::PgPool;

use super::{
    TEXT_CTE, Tiers, hits, near_tsquery, prefix_tsquery, starts_with_text, typo_cte, without_similarity,
};
use crate::{
    domain::Song,
    store::song_row::{SONG_COLUMNS, SongRow, songs as into_songs},
};

/// Heap pages read in physical order for word-prefix hits before the GIN
/// index is asked (a few hundred songs). A common word ("song", "the")
/// fills `limit` from these pages, where the index would first gather every
/// song that has it; a rare one costs these pages and a small index probe.
const PROBE_PAGES: u32 = 32;

/// When the first pages gave at least half the limit, the words are common
/// enough that reading on (up to this page) is cheaper than the index;
/// reading stops as soon as the limit is reached.
const WIDE_PROBE_PAGES: u32 = 512;

/// The best `limit` songs for `q`, best first.
pub async fn songs(pool: &PgPool, q: &str, limit: i64) -> sqlx::Result<Vec<Song>> {
    without_similarity(Tiers::of(q), |tiers| async move {
        let rows: Vec<SongRow> = sqlx::query_as(&sql(tiers))
            .bind(q)
            .bind(prefix_tsquery(q))
            .bind(limit)
            .bind(near_tsquery(q))
            .fetch_all(pool)
            .await?;
        Ok(into_songs(rows))
    })
    .await
}

/// The statement for the tiers that run; `$1` the text, `$2` its prefix
/// query, `$3` the limit, `$4` its near query.
fn sql(tiers: Tiers) -> String {
    let not_prefix = "NOT starts_with(s.title_sort, (SELECT f FROM q))
                      AND NOT starts_with(s.artist_sort, (SELECT f FROM q))";
    let mut probes = String::new();
    let mut words = String::new();
    if tiers.words {
        probes += &probe_cte("probe", "tq", not_prefix);
        words += &word_tiers("probe", "tq", 3, not_prefix);
    }
    if tiers.near {
        let not_words = format!("{not_prefix} AND NOT s.search_vector @@ (SELECT tq FROM q)");
        probes += &probe_cte("near_probe", "near", &not_words);
        words += &word_tiers("near_probe", "near", 4, &not_words);
    }
    let typo = if tiers.similar {
        typo_cte("songs", 5)
    } else {
        String::new()
    };
    let columns = SONG_COLUMNS.replace('\n', " ");
    format!(
        "WITH {TEXT_CTE}, {probes}
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

/// Hits of the full-text query `query` (a column of `q`) among the first
/// [`PROBE_PAGES`] pages.
fn probe_cte(name: &str, query: &str, others: &str) -> String {
    format!(
        "{name} AS MATERIALIZED (
             SELECT s.id FROM songs s
             WHERE s.ctid < '({PROBE_PAGES},0)'::tid
               AND s.search_vector @@ (SELECT {query} FROM q) AND {others}
             LIMIT $3),"
    )
}

/// Hits of the full-text query `query`: the probe's, then (when it found
/// at least half the limit) the following pages up to
/// [`WIDE_PROBE_PAGES`], then the GIN index for the pages not read.
fn word_tiers(probe: &str, query: &str, tier: u8, others: &str) -> String {
    let dense = format!("(SELECT count(*) FROM {probe}) * 2 >= $3");
    let matches = format!("s.search_vector @@ (SELECT {query} FROM q)");
    format!(
        "UNION ALL
         SELECT id, {tier} FROM {probe}
         UNION ALL
         (SELECT s.id, {tier} FROM songs s
          WHERE {dense}
            AND s.ctid >= '({PROBE_PAGES},0)'::tid AND s.ctid < '({WIDE_PROBE_PAGES},0)'::tid
            AND {matches} AND {others})
         UNION ALL
         (SELECT s.id, {tier} FROM songs s
          WHERE {matches}
            AND s.ctid >= '({PROBE_PAGES},0)'::tid
            AND (s.ctid >= '({WIDE_PROBE_PAGES},0)'::tid OR NOT {dense})
            AND {others})"
    )
}
