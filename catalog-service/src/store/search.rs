//! Search as you type: prefix matches of titles and artists, full-text
//! prefix matching and trigram similarity, all on text folded by
//! `search_fold` (lower case, accents removed), so "bjork" finds "Björk",
//! "brea" finds "Breathe" and "beatels" still finds "Beatles". The
//! similarity threshold is set on every connection
//! (`pg_trgm.word_similarity_threshold`, see `startup`).
//!
//! Ranking every match of a popular word would cost a similarity per song,
//! so a bounded set of candidates is ranked: the first prefix hits in title
//! and artist order, plus a sample of the other matches.

use sqlx::{PgPool, Postgres, QueryBuilder};
use uuid::Uuid;

use super::songs::{SONG_COLUMNS, SongRow};

/// Matches (beyond prefix hits) ranked at most per query.
const CANDIDATES: i64 = 100;

/// Below this many characters only prefixes of titles and artists match:
/// one or two letters would match most of the library by similarity.
const SHORT: usize = 3;

/// `word:* & other:*` from the words of `q`, or `None` when `q` has no word.
pub fn prefix_tsquery(q: &str) -> Option<String> {
    let words: Vec<String> = q
        .split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(|word| format!("{word}:*"))
        .collect();
    (!words.is_empty()).then(|| words.join(" & "))
}

/// Pushes the condition "this song matches `q`" (song listings with `q`).
pub fn push_song_match(query: &mut QueryBuilder<'_, Postgres>, q: &str) {
    query.push("(");
    if let Some(tsquery) = prefix_tsquery(q) {
        query
            .push("search_vector @@ to_tsquery('simple', search_fold(")
            .push_bind(tsquery)
            .push(")) OR ");
    }
    query
        .push("search_fold(")
        .push_bind(q.to_owned())
        .push(") <% search_text)");
}

/// Prefix hits of one folded column, in its byte order. The bounds are
/// scalar subqueries so they become index conditions.
fn prefix_hits(column: &str) -> String {
    format!(
        "(SELECT s.id FROM songs s
          WHERE s.{column} COLLATE \"C\" >= (SELECT f FROM q)
            AND s.{column} COLLATE \"C\" < (SELECT f || chr(1114111) FROM q)
          ORDER BY s.{column} COLLATE \"C\" LIMIT $3)"
    )
}

/// The best `limit` songs for `q`, best first.
pub async fn songs(pool: &PgPool, q: &str, limit: i64) -> sqlx::Result<Vec<SongRow>> {
    let similar = if q.chars().count() < SHORT {
        String::new()
    } else {
        format!(
            "UNION (SELECT s.id FROM songs s
                    WHERE s.search_vector @@ (SELECT tq FROM q) OR (SELECT f FROM q) <% s.search_text
                    LIMIT {CANDIDATES})"
        )
    };
    let columns = SONG_COLUMNS.replace('\n', " ");
    let sql = format!(
        "WITH q AS MATERIALIZED (SELECT search_fold($1) AS f, to_tsquery('simple', search_fold($2)) AS tq),
         candidates AS ({title} UNION {artist} {similar})
         SELECT {columns} FROM songs, q
         WHERE songs.id IN (SELECT id FROM candidates)
         ORDER BY (word_similarity(q.f, search_text)
                   + CASE WHEN starts_with(title_sort, q.f) THEN 1 ELSE 0 END
                   + CASE WHEN starts_with(artist_sort, q.f) THEN 0.5 ELSE 0 END) DESC,
                  title_sort, songs.id
         LIMIT $3",
        title = prefix_hits("title_sort"),
        artist = prefix_hits("artist_sort"),
    );
    // With a LIMIT the planner may walk the whole table hoping to meet
    // matches early; a text that matches nothing would then cost a
    // similarity per song. The indexes bound the work instead.
    let mut tx = pool.begin().await?;
    sqlx::query("SET LOCAL enable_seqscan = off")
        .execute(&mut *tx)
        .await?;
    let rows = sqlx::query_as(&sql)
        .bind(q)
        .bind(prefix_tsquery(q))
        .bind(limit)
        .fetch_all(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(rows)
}

/// An album or artist hit.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct NamedHit {
    pub id: Uuid,
    pub name: String,
    pub artist: Option<String>,
}

/// The best albums or artists for `q`: name prefixes, and (from three
/// characters) the nearest names by trigram distance, kept when similar.
pub async fn named(pool: &PgPool, table: Table, q: &str, limit: i64) -> sqlx::Result<Vec<NamedHit>> {
    let (columns, name, prefix) = match table {
        Table::Albums => ("id, title AS name, artist", "title", "search_fold(t.title)"),
        Table::Artists => ("id, name, NULL::text AS artist", "name", "t.search_text"),
    };
    let table_name = table.name();
    let nearest = if q.chars().count() < SHORT {
        String::new()
    } else {
        format!(
            "UNION (SELECT t.id FROM {table_name} t
                    ORDER BY t.search_text <->> (SELECT f FROM q) LIMIT $2)"
        )
    };
    sqlx::query_as(&format!(
        "WITH q AS MATERIALIZED (SELECT search_fold($1) AS f),
         candidates AS (
             (SELECT t.id FROM {table_name} t
              WHERE {prefix} COLLATE \"C\" >= (SELECT f FROM q)
                AND {prefix} COLLATE \"C\" < (SELECT f || chr(1114111) FROM q)
              ORDER BY {prefix} COLLATE \"C\" LIMIT $2)
             {nearest}
         )
         SELECT {columns} FROM {table_name}, q
         WHERE id IN (SELECT id FROM candidates)
           AND (starts_with(search_fold({name}), q.f) OR q.f <% search_text)
         ORDER BY (word_similarity(q.f, search_text)
                   + CASE WHEN starts_with(search_fold({name}), q.f) THEN 1 ELSE 0 END) DESC,
                  {name}, id
         LIMIT $2"
    ))
    .bind(q)
    .bind(limit)
    .fetch_all(pool)
    .await
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_queries_keep_only_words() {
        assert_eq!(prefix_tsquery("Björk hom").as_deref(), Some("Björk:* & hom:*"));
        assert_eq!(prefix_tsquery("a'b & c|!"), Some("a:* & b:* & c:*".into()));
        assert_eq!(prefix_tsquery(" !! "), None);
    }
}
