//! A song's folded keys: its sort keys and search text, lower-cased and
//! without accents by the database's own `search_fold`, so that prefix
//! searches and sort orders compare them exactly as the indexes do, and
//! the full-text vector of its search text.
//!
//! A batch folds each distinct title, artist and album once, in one
//! statement; a library repeats its artists and albums on every one of
//! their songs. The vectors the service cannot make exactly
//! ([`super::tsvector`]) take one more statement.

use std::collections::HashMap;

use anyhow::Context as _;

use super::tsvector;
use crate::domain::NewSong;

/// The columns [`SongKeys`] fills, in its order (after the song's own).
pub(super) const KEY_COLUMNS: &str =
    "year_sort, duration_sort, title_sort, artist_sort, album_sort, search_text, search_vector";

/// The same keys computed by a statement from the song's columns.
pub(super) const KEY_EXPRESSIONS: &str = "coalesce(year, 0), coalesce(duration_ms, 0),
    search_fold(title), search_fold(artist), search_fold(album),
    search_fold(title || ' ' || artist || ' ' || album),
    to_tsvector('simple', search_fold(title || ' ' || artist || ' ' || album))";

/// One song's keys.
pub(super) struct SongKeys<'a> {
    /// Sort keys are never NULL, so keyset pagination compares plain rows.
    pub year_sort: i32,
    pub duration_sort: i64,
    pub title_sort: &'a str,
    pub artist_sort: &'a str,
    pub album_sort: &'a str,
    /// The three folded parts joined by spaces: what folding the joined
    /// text gives, as no unaccent rule holds a space and lower-casing
    /// treats one as the end of a word.
    pub search_text: String,
    /// `to_tsvector('simple', search_text)` in binary form; `None` until made.
    pub search_vector: Option<Vec<u8>>,
}

/// Every distinct text of a batch, folded.
pub(super) struct Folded(HashMap<String, String>);

impl Folded {
    /// Folds the titles, artists and albums of `songs`, each distinct one
    /// once. ASCII texts are lower-cased by the service when the database
    /// folds ASCII that way (unaccent's rules leave ASCII alone, and
    /// lower-casing maps A-Z to a-z in every locale but a Turkish or
    /// Azeri one): the same statement folds every ASCII character, and
    /// only when that answers the ASCII lower case are they not sent.
    pub async fn of_batch(tx: &mut sqlx::PgConnection, songs: &[&NewSong]) -> anyhow::Result<Self> {
        let mut distinct: Vec<&str> = songs
            .iter()
            .flat_map(|song| [song.title.as_str(), song.artist.as_str(), song.album.as_str()])
            .collect();
        distinct.sort_unstable();
        distinct.dedup();
        let (ascii, mut asked): (Vec<&str>, Vec<&str>) =
            distinct.into_iter().partition(|text| text.is_ascii());
        let probe: String = (1u8..=127).map(char::from).collect();
        asked.push(&probe);
        let mut folded = fold(tx, &asked).await?;
        let probe_folded = folded.pop();
        asked.pop();
        let mut texts: HashMap<String, String> = asked.into_iter().map(str::to_owned).zip(folded).collect();
        if probe_folded.as_deref() == Some(probe.to_ascii_lowercase().as_str()) {
            texts.extend(
                ascii
                    .into_iter()
                    .map(|text| (text.to_owned(), text.to_ascii_lowercase())),
            );
        } else {
            let folded = fold(tx, &ascii).await?;
            texts.extend(ascii.into_iter().map(str::to_owned).zip(folded));
        }
        Ok(Self(texts))
    }

    /// The keys of a song of the batch.
    pub fn keys(&self, song: &NewSong) -> anyhow::Result<SongKeys<'_>> {
        let title_sort = self.get(&song.title)?;
        let artist_sort = self.get(&song.artist)?;
        let album_sort = self.get(&song.album)?;
        let search_text = [title_sort, artist_sort, album_sort].join(" ");
        Ok(SongKeys {
            year_sort: song.year.unwrap_or(0),
            duration_sort: song.duration_ms.unwrap_or(0),
            title_sort,
            artist_sort,
            album_sort,
            search_vector: tsvector::simple(&search_text),
            search_text,
        })
    }

    /// The keys of every song of the batch, each vector made.
    pub async fn keys_of_batch(
        &self,
        tx: &mut sqlx::PgConnection,
        songs: &[&NewSong],
    ) -> anyhow::Result<Vec<SongKeys<'_>>> {
        let mut keys = songs
            .iter()
            .map(|song| self.keys(song))
            .collect::<anyhow::Result<Vec<_>>>()?;
        let mut left: Vec<&mut SongKeys<'_>> = keys
            .iter_mut()
            .filter(|keys| keys.search_vector.is_none())
            .collect();
        if left.is_empty() {
            return Ok(keys);
        }
        let texts: Vec<&str> = left.iter().map(|keys| keys.search_text.as_str()).collect();
        let vectors: Vec<Vec<u8>> =
            each_text(tx, "tsvectorsend(to_tsvector('simple', text))", &texts).await?;
        for (keys, vector) in left.iter_mut().zip(vectors) {
            keys.search_vector = Some(vector);
        }
        Ok(keys)
    }

    /// Texts folded by hand, for tests of what is written.
    #[cfg(test)]
    pub fn of_pairs(pairs: &[(&str, &str)]) -> Self {
        Self(
            pairs
                .iter()
                .map(|(text, folded)| ((*text).into(), (*folded).into()))
                .collect(),
        )
    }

    fn get(&self, text: &str) -> anyhow::Result<&str> {
        self.0
            .get(text)
            .map(String::as_str)
            .with_context(|| format!("{text:?} was not folded with its batch"))
    }
}

/// `search_fold` of each of `texts`, in their order, in one statement.
async fn fold(tx: &mut sqlx::PgConnection, texts: &[&str]) -> anyhow::Result<Vec<String>> {
    each_text(tx, "search_fold(text)", texts).await
}

/// `expression` of each of `texts` (as `text`), in their order, in one
/// statement.
async fn each_text<T>(tx: &mut sqlx::PgConnection, expression: &str, texts: &[&str]) -> anyhow::Result<Vec<T>>
where
    Vec<T>: for<'r> sqlx::Decode<'r, sqlx::Postgres> + sqlx::Type<sqlx::Postgres> + Send + Unpin,
{
    let statement = format!(
        "SELECT coalesce(array_agg({expression} ORDER BY n), '{{}}')
         FROM unnest($1::text[]) WITH ORDINALITY AS t(text, n)"
    );
    let answered: Vec<T> = sqlx::query_scalar(&statement)
        .bind(texts)
        .fetch_one(&mut *tx)
        .await
        .with_context(|| format!("{expression} of a batch's texts"))?;
    anyhow::ensure!(
        answered.len() == texts.len(),
        "{expression} of {} texts answered {}",
        texts.len(),
        answered.len()
    );
    Ok(answered)
}
