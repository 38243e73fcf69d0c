//! Search as you type: full-text prefix matching plus trigram similarity,
//! both on text folded by `search_fold` (lower case, accents removed), so
//! "bjork" finds "Björk", "brea" finds "Breathe" and "beatels" still finds
//! "Beatles". The similarity threshold is set on every connection
//! (`pg_trgm.word_similarity_threshold`, see `startup`).

use sqlx::{PgPool, Postgres, QueryBuilder};
use uuid::Uuid;

use super::songs::{SONG_COLUMNS, SongRow};

/// `word:* & other:*` from the words of `q`, or `None` when `q` has no word.
pub fn prefix_tsquery(q: &str) -> Option<String> {
    let words: Vec<String> = q
        .split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(|word| format!("{word}:*"))
        .collect();
    (!words.is_empty()).then(|| words.join(" & "))
}

/// Pushes the condition "this song matches `q`".
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

/// The best `limit` songs for `q`, best first.
pub async fn songs(pool: &PgPool, q: &str, limit: i64) -> sqlx::Result<Vec<SongRow>> {
    let mut query = QueryBuilder::<Postgres>::new(format!("SELECT {SONG_COLUMNS} FROM songs WHERE "));
    push_song_match(&mut query, q);
    query
        .push(" ORDER BY (word_similarity(search_fold(")
        .push_bind(q.to_owned());
    query
        .push("), search_text) + CASE WHEN title_sort LIKE search_fold(")
        .push_bind(q.to_owned());
    query
        .push(") || '%' THEN 1 ELSE 0 END) DESC, title_sort, id LIMIT ")
        .push_bind(limit);
    query.build_query_as().fetch_all(pool).await
}

/// An album or artist hit.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct NamedHit {
    pub id: Uuid,
    pub name: String,
    pub artist: Option<String>,
}

/// The best albums (`table = "albums"`) or artists for `q`.
pub async fn named(pool: &PgPool, table: Table, q: &str, limit: i64) -> sqlx::Result<Vec<NamedHit>> {
    let (columns, name) = match table {
        Table::Albums => ("id, title AS name, artist", "title"),
        Table::Artists => ("id, name, NULL::text AS artist", "name"),
    };
    let table_name = table.name();
    sqlx::query_as(&format!(
        "SELECT {columns} FROM {table_name}
         WHERE search_text LIKE '%' || search_fold($1) || '%' OR search_fold($1) <% search_text
         ORDER BY (word_similarity(search_fold($1), search_text)
                   + CASE WHEN search_fold({name}) LIKE search_fold($1) || '%' THEN 1 ELSE 0 END) DESC,
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
