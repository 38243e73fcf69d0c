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
//! 3. from four characters (and up to [`TYPO_UNTIL`]), small typos, only
//!    when the tiers before found fewer than `limit` hits: first words
//!    starting with the text less its last character ("thundr" finds
//!    "Thunder": a letter missed, added or mistyped at the end of what was
//!    typed so far), from the same full-text indexes; then ("beatels" finds
//!    "The Beatles") trigram word similarity over a GIN index, of which only
//!    the first [`TYPO_CANDIDATES`] matches are ranked. The threshold is set
//!    on every connection (`pg_trgm.word_similarity_threshold`, see
//!    `startup`). Every row sharing enough trigrams with the text is
//!    checked until enough are similar, which for a text whose trigrams are
//!    common but scattered ("songartist") is every row: the search
//!    connections have a statement timeout, and a statement that reaches it
//!    runs again without this tier ([`without_similarity`]).
//!
//! Hits are ranked by tier, typos by word similarity to the text, then by
//! name. These statements run on connections with sequential scans off
//! (see `startup`): their plans never depend on estimates of how common a
//! word is, so a word that matches nothing costs an index probe, not a walk
//! of the table.

mod named;
mod songs;

pub use named::{Table, named};
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
    prefix_query(&words(q))
}

/// As [`prefix_tsquery`] with the last word one character shorter, when it
/// keeps at least three (typos at the end of what was typed).
pub fn near_tsquery(q: &str) -> Option<String> {
    let mut words = words(q);
    let last = words.pop()?;
    let mut chars: Vec<char> = last.chars().collect();
    if chars.len() < 4 {
        return None;
    }
    chars.pop();
    words.push(chars.into_iter().collect());
    prefix_query(&words)
}

fn words(q: &str) -> Vec<String> {
    q.split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(str::to_owned)
        .collect()
}

fn prefix_query(words: &[String]) -> Option<String> {
    let terms: Vec<String> = words.iter().map(|word| format!("{word}:*")).collect();
    (!terms.is_empty()).then(|| terms.join(" & "))
}

/// Which tiers run for a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Tiers {
    words: bool,
    near: bool,
    /// Trigram similarity.
    similar: bool,
}

impl Tiers {
    fn of(q: &str) -> Self {
        let chars = q.chars().count();
        let typos = (TYPO_FROM..=TYPO_UNTIL).contains(&chars);
        Self {
            words: chars >= WORDS_FROM && prefix_tsquery(q).is_some(),
            near: typos && near_tsquery(q).is_some(),
            similar: typos,
        }
    }
}

/// Runs `fetch` with `tiers`, and again without trigram similarity when
/// the statement reached the search connections' timeout.
async fn without_similarity<T, F, Fut>(tiers: Tiers, fetch: F) -> sqlx::Result<T>
where
    F: Fn(Tiers) -> Fut,
    Fut: std::future::Future<Output = sqlx::Result<T>>,
{
    match fetch(tiers).await {
        Err(error) if tiers.similar && timed_out(&error) => {
            tracing::warn!(%error, "search by similarity took too long; searching without it");
            fetch(Tiers {
                similar: false,
                ..tiers
            })
            .await
        }
        other => other,
    }
}

/// Whether PostgreSQL cancelled the statement (`statement_timeout`).
fn timed_out(error: &sqlx::Error) -> bool {
    error
        .as_database_error()
        .and_then(|error| error.code())
        .is_some_and(|code| code == "57014")
}

/// The folded text `f`, its prefix query `tq` and the query `near` of
/// [`near_tsquery`] (`$1`, `$2`, `$4`), computed once per statement. The
/// folding is the body of `search_fold` (first migration) written out:
/// PostgreSQL cannot inline that function (`unaccent` is only STABLE), and
/// a SQL function called from a statement has its body parsed again at
/// every execution.
const TEXT_CTE: &str = "q AS MATERIALIZED (
    SELECT lower(public.unaccent('public.unaccent'::regdictionary, $1)) AS f,
        to_tsquery('simple', lower(public.unaccent('public.unaccent'::regdictionary, $2))) AS tq,
        to_tsquery('simple', lower(public.unaccent('public.unaccent'::regdictionary, $4))) AS near)";

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
    if tiers.similar {
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
    fn near_queries_shorten_the_last_word() {
        assert_eq!(near_tsquery("thundr").as_deref(), Some("thund:*"));
        assert_eq!(near_tsquery("yellow subm").as_deref(), Some("yellow:* & sub:*"));
        assert_eq!(near_tsquery("yellow sub"), None);
        assert_eq!(near_tsquery("Björk"), Some("Björ:*".into()));
    }

    #[test]
    fn short_texts_match_name_prefixes_only() {
        let of = |words, near, similar| Tiers { words, near, similar };
        assert_eq!(Tiers::of("bj"), of(false, false, false));
        assert_eq!(Tiers::of("bjo"), of(true, false, false));
        assert_eq!(Tiers::of("bjor"), of(true, true, true));
        assert_eq!(Tiers::of("a bc"), of(true, false, true));
        assert_eq!(Tiers::of("!!!!"), of(false, false, true));
        assert!(!Tiers::of(&"x".repeat(TYPO_UNTIL + 1)).similar);
    }
}
