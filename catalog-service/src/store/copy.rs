//! Songs in PostgreSQL's binary `COPY` format: a first scan loads its
//! batches this way, which costs the server no parsing (neither SQL nor
//! JSON) and no conflict checks beyond the unique indexes.
//!
//! Format: <https://www.postgresql.org/docs/current/sql-copy.html#SQL-COPY-BINARY-FORMAT>.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::fold::SongKeys;
use crate::domain::NewSong;

/// The columns [`encode`] writes, in its order: the song's own, then its
/// folded keys.
pub(super) fn copy_columns() -> String {
    format!("{}, {}", super::write::COLUMNS, super::fold::KEY_COLUMNS)
}
const FIELDS: i16 = 41;

/// Element types of the arrays written (`pg_type` oids).
const TEXT_OID: u32 = 25;
const UUID_OID: u32 = 2950;

/// Microseconds from the Unix epoch to PostgreSQL's (2000-01-01 UTC).
const PG_EPOCH_MICROS: i64 = 946_684_800_000_000;

/// The whole `COPY ... FROM STDIN (FORMAT binary)` payload of `songs`,
/// each with its `keys`.
pub fn encode(songs: &[&NewSong], keys: &[SongKeys<'_>]) -> anyhow::Result<Vec<u8>> {
    anyhow::ensure!(songs.len() == keys.len(), "every song needs its keys");
    let mut out = Out(Vec::with_capacity(64 + songs.len() * 768));
    out.0.extend_from_slice(b"PGCOPY\n\xff\r\n\0");
    out.0.extend_from_slice(&0i32.to_be_bytes()); // flags
    out.0.extend_from_slice(&0i32.to_be_bytes()); // header extension length
    for (song, keys) in songs.iter().zip(keys) {
        let vector = keys
            .search_vector
            .as_deref()
            .ok_or_else(|| anyhow::anyhow!("{:?} has no full-text vector", song.title))?;
        row(&mut out, song, keys, vector);
    }
    out.0.extend_from_slice(&(-1i16).to_be_bytes());
    Ok(out.0)
}

fn row(out: &mut Out, s: &NewSong, keys: &SongKeys<'_>, vector: &[u8]) {
    out.0.extend_from_slice(&FIELDS.to_be_bytes());
    out.uuid(Some(s.id));
    out.text(Some(s.kind.as_str()));
    out.uuid(s.source_id);
    out.text(s.path.as_deref());
    out.text(s.url.as_deref());
    out.text(Some(&s.file_name));
    out.text(s.content_type.as_deref());
    out.int8(s.size_bytes);
    out.timestamp(s.modified_at);
    out.text(Some(&s.title));
    out.text(Some(&s.artist));
    out.text_array(&s.artists);
    out.uuid_array(&s.artist_ids);
    out.text(Some(&s.album));
    out.uuid(Some(s.album_id));
    out.text(Some(&s.album_artist));
    out.int4(s.track_number);
    out.int4(s.track_total);
    out.int4(s.disc_number);
    out.int4(s.disc_total);
    out.int4(s.year);
    out.text(s.date.as_deref());
    out.text_array(&s.genres);
    out.int8(s.duration_ms);
    out.int4(s.bitrate_kbps);
    out.int4(s.sample_rate);
    out.int4(s.channels);
    out.text(s.codec.as_deref());
    out.field(Some(&[u8::from(s.embedded_cover)][..]));
    out.text(s.folder_cover.as_deref());
    out.text(s.image_url.as_deref());
    out.text(s.description.as_deref());
    out.timestamp(s.published_at);
    out.text(s.lyrics.as_deref());
    out.int4(Some(keys.year_sort));
    out.int8(Some(keys.duration_sort));
    out.text(Some(keys.title_sort));
    out.text(Some(keys.artist_sort));
    out.text(Some(keys.album_sort));
    out.text(Some(&keys.search_text));
    out.field(Some(vector));
}

/// The payload being written; every field is its length, then its bytes.
struct Out(Vec<u8>);

impl Out {
    fn field(&mut self, bytes: Option<&[u8]>) {
        match bytes {
            Some(bytes) => {
                self.len(bytes.len());
                self.0.extend_from_slice(bytes);
            }
            None => self.0.extend_from_slice(&(-1i32).to_be_bytes()),
        }
    }

    /// A length as the format writes it; no field of a song nears 2 GiB.
    fn len(&mut self, len: usize) {
        self.0
            .extend_from_slice(&i32::try_from(len).unwrap_or(i32::MAX).to_be_bytes());
    }

    fn text(&mut self, value: Option<&str>) {
        self.field(value.map(str::as_bytes));
    }

    fn uuid(&mut self, value: Option<Uuid>) {
        self.field(value.as_ref().map(|id| id.as_bytes().as_slice()));
    }

    fn int4(&mut self, value: Option<i32>) {
        self.field(value.map(i32::to_be_bytes).as_ref().map(|b| b.as_slice()));
    }

    fn int8(&mut self, value: Option<i64>) {
        self.field(value.map(i64::to_be_bytes).as_ref().map(|b| b.as_slice()));
    }

    fn timestamp(&mut self, value: Option<DateTime<Utc>>) {
        let micros = value.map(|at| at.timestamp_micros() - PG_EPOCH_MICROS);
        self.int8(micros);
    }

    fn text_array(&mut self, values: &[String]) {
        self.array(TEXT_OID, values.iter().map(String::as_bytes));
    }

    fn uuid_array(&mut self, values: &[Uuid]) {
        self.array(UUID_OID, values.iter().map(|id| id.as_bytes().as_slice()));
    }

    /// A one-dimensional array without NULLs (an empty one has no dimension).
    fn array<'a>(&mut self, element: u32, values: impl ExactSizeIterator<Item = &'a [u8]>) {
        let mut body = Out(Vec::new());
        let count = values.len();
        body.0.extend_from_slice(&i32::from(count > 0).to_be_bytes());
        body.0.extend_from_slice(&0i32.to_be_bytes()); // no NULL element
        body.0.extend_from_slice(&element.to_be_bytes());
        if count > 0 {
            body.len(count);
            body.0.extend_from_slice(&1i32.to_be_bytes()); // lower bound
        }
        for value in values {
            body.field(Some(value));
        }
        self.field(Some(&body.0));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::fold::Folded;

    #[test]
    fn a_payload_is_header_rows_and_trailer() {
        let song = NewSong {
            title: "x".into(),
            ..NewSong::default()
        };
        let folded = Folded::of_pairs(&[("x", "x"), ("", "")]);
        let keys = [folded.keys(&song).expect("every text is folded")];
        let bytes = encode(&[&song], &keys).expect("every song has its keys");
        assert!(bytes.starts_with(b"PGCOPY\n\xff\r\n\0"));
        assert_eq!(&bytes[19..21], &FIELDS.to_be_bytes());
        assert!(bytes.ends_with(&(-1i16).to_be_bytes()));
        assert_eq!(copy_columns().split(',').count(), FIELDS as usize);
    }

    #[test]
    fn a_song_without_its_full_text_vector_is_refused() {
        let song = NewSong {
            title: "Don't".into(),
            ..NewSong::default()
        };
        let folded = Folded::of_pairs(&[("Don't", "don't"), ("", "")]);
        let keys = [folded.keys(&song).expect("every text is folded")];
        assert!(keys[0].search_vector.is_none(), "left to PostgreSQL");
        assert!(encode(&[&song], &keys).is_err());
    }

    #[test]
    fn arrays_carry_their_dimension_only_when_not_empty() {
        let mut empty = Out(Vec::new());
        empty.text_array(&[]);
        assert_eq!(empty.0.len(), 4 + 12);
        let mut two = Out(Vec::new());
        two.text_array(&["ab".into(), "c".into()]);
        assert_eq!(two.0.len(), 4 + 20 + 4 + 2 + 4 + 1);
    }
}
