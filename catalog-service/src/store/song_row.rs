//! The `songs` row: its fields are written once, in [`song_row!`], which
//! makes the row type, the column list of every `SELECT` and the mapping
//! into [`Song`], so they cannot drift apart.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::domain::{Song, SongKind};

macro_rules! song_row {
    ($first:ident: $first_type:ty, $($field:ident: $type:ty,)*) => {
        /// A song as read from `songs`.
        #[derive(sqlx::FromRow)]
        pub(crate) struct SongRow {
            $first: $first_type,
            $($field: $type,)*
        }

        /// The columns of [`SongRow`], for `SELECT`.
        pub(crate) const SONG_COLUMNS: &str = concat!(stringify!($first) $(, ", ", stringify!($field))*);

        impl From<SongRow> for Song {
            fn from(row: SongRow) -> Self {
                Self { $first: row.$first, $($field: row.$field,)* }
            }
        }
    };
}

song_row! {
    id: Uuid,
    kind: SongKind,
    source_id: Option<Uuid>,
    path: Option<String>,
    url: Option<String>,
    file_name: String,
    content_type: Option<String>,
    size_bytes: Option<i64>,
    modified_at: Option<DateTime<Utc>>,
    title: String,
    artist: String,
    artists: Vec<String>,
    artist_ids: Vec<Uuid>,
    album: String,
    album_id: Uuid,
    album_artist: String,
    track_number: Option<i32>,
    track_total: Option<i32>,
    disc_number: Option<i32>,
    disc_total: Option<i32>,
    year: Option<i32>,
    date: Option<String>,
    genres: Vec<String>,
    duration_ms: Option<i64>,
    bitrate_kbps: Option<i32>,
    sample_rate: Option<i32>,
    channels: Option<i32>,
    codec: Option<String>,
    embedded_cover: bool,
    folder_cover: Option<String>,
    image_url: Option<String>,
    description: Option<String>,
    published_at: Option<DateTime<Utc>>,
    missing: bool,
    added_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    title_sort: String,
    artist_sort: String,
    album_sort: String,
}

/// Songs from rows.
pub(crate) fn songs(rows: Vec<SongRow>) -> Vec<Song> {
    rows.into_iter().map(Song::from).collect()
}
