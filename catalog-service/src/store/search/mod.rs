//! Search as you type, on text folded by `search_fold` (lower case,
//! accents removed), so "bjork" finds "Björk".
//!
//! Each group (songs, albums, artists) is one statement whose matches come
//! in tiers, cheapest first, and a tier runs only while the ones before it
//! found fewer than `limit` hits (an `Append` under a `LIMIT` stops pulling
//! once it has enough):
//!
//! 1. names (titles, then artists for songs) starting with the text, from
//!    byte-order btree indexes;
//! 2. from three characters, names with a word starting with each word of
//!    the text ("sub" finds "Yellow Submarine"), from full-text GIN indexes;
//! 3. from four characters (and up to [`TYPO_UNTIL`]), small typos
//!    ("beatels" finds "The Beatles"): trigram word similarity over a GIN
//!    index, only when the tiers before found fewer than `limit` hits, and
//!    only the first [`TYPO_CANDIDATES`] matches are ranked. The threshold
//!    is set on every connection (`pg_trgm.word_similarity_threshold`, see
//!    `startup`).
//!
//! Hits are ranked by tier, typos by word similarity to the text, then by
//! name. These statements run on connections with sequential scans off
//! (see `startup`): their plans never depend on estimates of how common a
//! word is, so a word that matches nothing costs an index probe, not a walk
//! of the table.

mod named;
mod songs;

pub use named::{NamedHit, Table, named};
pub use songs::songs;
use sqlx::{Postgres, QueryBuilder};

/// Below this many characters only name prefixes match: one or two letters
/// would match most words of the library.
const WORDS_FROM: usize = 3;

/// Typos are looked for in texts of this many characters and more: three
/// letters with a typo are anything.
const TYPO_FROM: usize = 4;

/// ... and up to this many: each character adds trigrams whose index
/// entries are all read, so a long text would cost a walk of the index.
pub const TYPO_UNTIL: usize = 32;

/// Typo matches ranked at most per query.
pub const TYPO_CANDIDATES: usize = 30;

/// `word:* & other:*` from the words of `q`, or `None` when `q` has no word.
pub fn prefix_tsquery(q: &str) -> Option<String> {
    let words: Vec<String> = q
        .split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(|word| format!("{word}:*"))
        .collect();
    (!words.is_empty()).then(|| words.join(" & "))
}

/// Which tiers run for a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Tiers {
    words: bool,
    typos: bool,
}

impl Tiers {
    fn of(q: &str) -> Self {
        let chars = q.chars().count();
        Self {
            words: chars >= WORDS_FROM && prefix_tsquery(q).is_some(),
            typos: (TYPO_FROM..=TYPO_UNTIL).contains(&chars),
        }
    }
}

/// The folded text `f` and the prefix query `tq` of `$1` and `$2`,
/// computed once per statement.
const TEXT_CTE: &str = "q AS MATERIALIZED (SELECT search_fold($1) AS f,
    to_tsquery('simple', search_fold($2)) AS tq)";

/// "`expression` starts with the text", as bounds a byte-order index on
/// `expression COLLATE "C"` turns into a range scan (scalar subqueries, so
/// the bounds are index conditions).
fn starts_with_text(expression: &str) -> String {
    format!(
        "{expression} COLLATE \"C\" >= (SELECT f FROM q)
         AND {expression} COLLATE \"C\" < (SELECT f || chr(1114111) FROM q)"
    )
}

/// The typo tier of `table`: its first [`TYPO_CANDIDATES`] rows similar to
/// the text and not already hits, with their similarity, read only when
/// `cheap` (the tiers before) holds fewer than `$3` hits (a one-time
/// filter).
fn typo_cte(table: &str, tier: u8) -> String {
    format!(
        ", typo AS MATERIALIZED (
             SELECT t.id, {tier} AS tier, word_similarity((SELECT f FROM q), t.search_text) AS similarity
             FROM {table} t
             WHERE (SELECT count(*) FROM cheap) < $3
               AND (SELECT f FROM q) <% t.search_text
               AND t.id NOT IN (SELECT id FROM cheap)
             LIMIT {TYPO_CANDIDATES})"
    )
}

/// The hits of every tier that ran, as `(id, tier, similarity)` rows; only
/// typos are ranked by similarity (the other tiers match every word from
/// its start, which word similarity can hardly tell apart, and it costs a
/// few microseconds per row).
fn hits(tiers: Tiers) -> &'static str {
    if tiers.typos {
        "(SELECT id, tier, 0::real AS similarity FROM cheap
          UNION ALL SELECT id, tier, similarity FROM typo)"
    } else {
        "(SELECT id, tier, 0::real AS similarity FROM cheap)"
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_queries_keep_only_words() {
        assert_eq!(prefix_tsquery("Björk hom").as_deref(), Some("Björk:* & hom:*"));
        assert_eq!(prefix_tsquery("a'b & c|!"), Some("a:* & b:* & c:*".into()));
        assert_eq!(prefix_tsquery(" !! "), None);
    }

    #[test]
    fn short_texts_match_name_prefixes_only() {
        let tiers = |q| Tiers::of(q);
        assert_eq!(
            tiers("bj"),
            Tiers {
                words: false,
                typos: false
            }
        );
        assert_eq!(
            tiers("bjo"),
            Tiers {
                words: true,
                typos: false
            }
        );
        assert_eq!(
            tiers("bjor"),
            Tiers {
                words: true,
                typos: true
            }
        );
        assert_eq!(
            tiers("!!!!"),
            Tiers {
                words: false,
                typos: true
            }
        );
        assert!(!tiers(&"x".repeat(TYPO_UNTIL + 1)).typos);
    }
}
