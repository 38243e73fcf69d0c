//! Albums and artists as you type: name prefixes, word prefixes, then
//! typos (see the parent module).

use sqlx::PgPool;
use uuid::Uuid;

use super::{
    TEXT_CTE, Tiers, hits, near_tsquery, prefix_tsquery, starts_with_text, typo_cte, without_similarity,
};

use crate::domain::NamedHit;

/// The row behind [`NamedHit`].
#[derive(sqlx::FromRow)]
struct HitRow {
    id: Uuid,
    name: String,
    artist: Option<String>,
}

#[derive(Debug, Clone, Copy)]
pub enum Table {
    Albums,
    Artists,
}

impl Table {
    fn name(self) -> &'static str {
        match self {
            Self::Albums => "albums",
            Self::Artists => "artists",
        }
    }
}

/// The best `limit` albums or artists for `q`, best first.
pub async fn named(pool: &PgPool, table: Table, q: &str, limit: i64) -> sqlx::Result<Vec<NamedHit>> {
    without_similarity(Tiers::of(q), |tiers| async move {
        let rows: Vec<HitRow> = sqlx::query_as(&sql(table, tiers))
            .bind(q)
            .bind(prefix_tsquery(q))
            .bind(limit)
            .bind(near_tsquery(q))
            .fetch_all(pool)
            .await?;
        let hits = rows
            .into_iter()
            .map(|HitRow { id, name, artist }| NamedHit { id, name, artist });
        Ok(hits.collect())
    })
    .await
}

/// The statement for the tiers that run; `$1` the text, `$2` its prefix
/// query, `$3` the limit, `$4` its near query. Albums match their title and
/// their artist's name by words, and their title by prefix.
fn sql(table: Table, tiers: Tiers) -> String {
    let (columns, name, prefix) = match table {
        Table::Albums => ("id, title AS name, artist", "title", "search_fold(t.title)"),
        Table::Artists => ("id, name, NULL::text AS artist", "name", "t.search_text"),
    };
    let table_name = table.name();
    let not_prefix = format!("NOT starts_with({prefix}, (SELECT f FROM q))");
    let mut words = String::new();
    if tiers.words {
        words += &format!(
            "UNION ALL
             (SELECT t.id, 2 FROM {table_name} t
              WHERE t.search_vector @@ (SELECT tq FROM q) AND {not_prefix})"
        );
    }
    if tiers.near {
        words += &format!(
            "UNION ALL
             (SELECT t.id, 3 FROM {table_name} t
              WHERE t.search_vector @@ (SELECT near FROM q)
                AND NOT t.search_vector @@ (SELECT tq FROM q) AND {not_prefix})"
        );
    }
    let typo = if tiers.similar {
        typo_cte(table_name, 4)
    } else {
        String::new()
    };
    format!(
        "WITH {TEXT_CTE},
         cheap AS MATERIALIZED (
             SELECT id, tier FROM (
                 (SELECT t.id, 1 AS tier FROM {table_name} t
                  WHERE {starts}
                  ORDER BY {prefix} COLLATE \"C\" LIMIT $3)
                 {words}
             ) found
             LIMIT $3)
         {typo}
         SELECT {columns} FROM {table_name} JOIN {hits} hit USING (id)
         ORDER BY hit.tier, hit.similarity DESC, {name}, id
         LIMIT $3",
        starts = starts_with_text(prefix),
        hits = hits(tiers),
    )
}
