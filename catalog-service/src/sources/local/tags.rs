//! What lofty's tags mean to the catalog: credits, numbers, dates, types;
//! which files are audio, and the allocation limit every reader sets.

use std::path::Path;

use chrono::{DateTime, SubsecRound as _, Utc};
use lofty::{
    config::{GlobalOptions, apply_global_options},
    file::FileType,
    prelude::{Accessor, ItemKey},
    tag::Tag,
};

use uuid::Uuid;

use crate::domain::{NewSong, ids};

/// A file found by the walk, with what the scan knows before opening it.
#[derive(Debug, Clone)]
pub struct FoundFile {
    pub path: String,
    /// The id of the song at `path` ([`ids::local_song_id`]).
    pub id: Uuid,
    /// The file's size and time as the walk saw them, to tell whether it
    /// changed; `None` when the walk did not look (a first scan, which
    /// reads every file: what is stored comes from the opened file).
    pub stat: Option<FileStat>,
    /// A folder image next to the file (cover.jpg, folder.png, ...).
    pub folder_cover: Option<String>,
}

impl FoundFile {
    /// The file at `path`, as `metadata` (read by the walk) describes it.
    pub fn new(path: String, metadata: &std::fs::Metadata, folder_cover: Option<String>) -> Self {
        Self {
            stat: Some(FileStat::new(metadata.len(), metadata.modified().ok())),
            ..Self::unstated(path, folder_cover)
        }
    }

    /// The file at `path`, not looked at yet.
    pub fn unstated(path: String, folder_cover: Option<String>) -> Self {
        Self {
            id: ids::local_song_id(Path::new(&path)),
            path,
            stat: None,
            folder_cover,
        }
    }
}

/// A file's size and modification time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileStat {
    pub size: i64,
    pub modified_at: DateTime<Utc>,
}

impl FileStat {
    pub fn new(len: u64, modified: Option<std::time::SystemTime>) -> Self {
        Self {
            size: i64::try_from(len).unwrap_or(i64::MAX),
            // PostgreSQL keeps microseconds; comparing at that precision lets
            // an unchanged file be recognised on the next scan.
            modified_at: modified
                .map(DateTime::<Utc>::from)
                .unwrap_or_default()
                .trunc_subsecs(6),
        }
    }
}

/// File name extensions the scan reads.
pub const AUDIO_EXTENSIONS: &[&str] = &[
    "mp3", "flac", "ogg", "oga", "opus", "m4a", "m4b", "mp4", "aac", "wav", "aif", "aiff", "wv", "ape", "mpc",
];

pub fn is_audio(path: &Path) -> bool {
    path.extension().and_then(|ext| ext.to_str()).is_some_and(|ext| {
        AUDIO_EXTENSIONS
            .iter()
            .any(|known| known.eq_ignore_ascii_case(ext))
    })
}

/// The most lofty may allocate for one tag item (a whole ID3v2 tag, a
/// picture, a comment): a file declaring more is refused instead of
/// having its declared size allocated. Large enough for any real cover.
pub const TAG_ITEM_MAX_BYTES: usize = 16 * 1024 * 1024;

/// Sets lofty's allocation limit on this thread. Lofty keeps its options
/// per thread, so every reader calls this before reading (it is a store
/// to a thread-local).
pub fn limit_allocations() {
    apply_global_options(GlobalOptions::new().allocation_limit(TAG_ITEM_MAX_BYTES));
}

pub(crate) fn apply_tag(song: &mut NewSong, tag: &Tag) {
    let mut artists: Vec<String> = tag
        .get_strings(ItemKey::TrackArtists)
        .map(str::to_owned)
        .collect();
    if artists.is_empty() {
        artists = tag
            .get_strings(ItemKey::TrackArtist)
            .flat_map(|value| value.split(';').map(str::to_owned).collect::<Vec<_>>())
            .collect();
    }
    song.set_credits(
        artists,
        tag.album().map(|album| album.into_owned()),
        tag.get_string(ItemKey::AlbumArtist).map(str::to_owned),
    );
    let (track, track_total) = number_pair(tag, ItemKey::TrackNumber);
    song.track_number = tag.track().map(|n| n as i32).or(track);
    song.track_total = tag.track_total().map(|n| n as i32).or(track_total);
    let (disc, disc_total) = number_pair(tag, ItemKey::DiscNumber);
    song.disc_number = tag.disk().map(|n| n as i32).or(disc);
    song.disc_total = tag.disk_total().map(|n| n as i32).or(disc_total);
    song.date = [
        ItemKey::RecordingDate,
        ItemKey::Year,
        ItemKey::ReleaseDate,
        ItemKey::OriginalReleaseDate,
    ]
    .into_iter()
    .find_map(|key| tag.get_string(key))
    .map(|date| date.trim().to_owned())
    .filter(|date| !date.is_empty());
    song.year = song.date.as_deref().and_then(year_of);
    song.genres = tag
        .get_strings(ItemKey::Genre)
        .flat_map(|value| value.split(';').map(|g| g.trim().to_owned()).collect::<Vec<_>>())
        .filter(|genre| !genre.is_empty())
        .collect();
    // ID3v2 keeps lyrics in USLT frames, which lofty names UnsyncLyrics
    // (it does not read LRC text as synchronised); Vorbis and MP4 use Lyrics.
    song.lyrics = [ItemKey::Lyrics, ItemKey::UnsyncLyrics]
        .into_iter()
        .find_map(|key| tag.get_string(key))
        .map(|lyrics| lyrics.trim().to_owned())
        .filter(|lyrics| !lyrics.is_empty());
}

/// "3/12" -> (3, 12); "3" -> (3, none).
fn number_pair(tag: &Tag, key: ItemKey) -> (Option<i32>, Option<i32>) {
    let Some(text) = tag.get_string(key) else {
        return (None, None);
    };
    let mut parts = text.split('/').map(|part| part.trim().parse::<i32>().ok());
    (parts.next().flatten(), parts.next().flatten())
}

/// The first four-digit run of a date ("2003-05-01", "May 2003").
pub fn year_of(date: &str) -> Option<i32> {
    date.as_bytes()
        .windows(4)
        .find(|window| window.iter().all(u8::is_ascii_digit))
        .and_then(|digits| std::str::from_utf8(digits).ok()?.parse().ok())
}

/// "01 - Intro.flac" -> "01 - Intro".
pub fn title_from_file_name(path: &Path) -> String {
    path.file_stem()
        .map(|stem| stem.to_string_lossy().trim().to_owned())
        .filter(|stem| !stem.is_empty())
        .unwrap_or_else(|| "Untitled".into())
}

pub fn content_type(file_type: FileType) -> &'static str {
    match file_type {
        FileType::Aac => "audio/aac",
        FileType::Aiff => "audio/aiff",
        FileType::Ape => "audio/ape",
        FileType::Flac => "audio/flac",
        FileType::Mpeg => "audio/mpeg",
        FileType::Mp4 => "audio/mp4",
        FileType::Mpc => "audio/musepack",
        FileType::Opus | FileType::Vorbis | FileType::Speex => "audio/ogg",
        FileType::Wav => "audio/wav",
        FileType::WavPack => "audio/wavpack",
        _ => "application/octet-stream",
    }
}

pub fn codec(file_type: FileType) -> &'static str {
    match file_type {
        FileType::Aac => "aac",
        FileType::Aiff => "aiff",
        FileType::Ape => "ape",
        FileType::Flac => "flac",
        FileType::Mpeg => "mp3",
        FileType::Mp4 => "mp4",
        FileType::Mpc => "musepack",
        FileType::Opus => "opus",
        FileType::Vorbis => "vorbis",
        FileType::Speex => "speex",
        FileType::Wav => "wav",
        FileType::WavPack => "wavpack",
        _ => "unknown",
    }
}

#[cfg(test)]
mod tests {
    use common::confine::Roots;

    use super::*;
    use crate::sources::local::reader::read;

    #[test]
    fn years_come_from_any_date_form() {
        assert_eq!(year_of("2003-05-01"), Some(2003));
        assert_eq!(year_of("May 1999"), Some(1999));
        assert_eq!(year_of("n/a"), None);
    }

    /// An MP3 whose ID3v2 header declares a 256 MiB tag, holding 4 KiB.
    fn declared_tag(dir: &Path) -> FoundFile {
        let path = dir.join("huge.mp3");
        // A v2.4 header, then an encrypted frame (read whole, not streamed)
        // with a data length indicator: both sizes syncsafe, 256 MiB.
        let mut bytes =
            b"ID3\x04\x00\x00\x7f\x7f\x7f\x7fPRIV\x7f\x7f\x7f\x7f\x00\x05\x00\x00\x10\x00".to_vec();
        bytes.resize(4096, b'a');
        std::fs::write(&path, &bytes).expect("write");
        FoundFile::unstated(path.display().to_string(), None)
    }

    #[test]
    fn a_file_declaring_a_256_mib_tag_is_refused_without_allocating_it() {
        let dir = tempfile::tempdir().expect("temp dir");
        let file = declared_tag(dir.path());
        // Lofty's limit is per thread and its default may change: a reader
        // thread where it was raised still reads within the catalog's.
        apply_global_options(GlobalOptions::new().allocation_limit(usize::MAX));
        let roots = Roots::new(&[dir.path().to_owned()]);
        let before = peak_memory();
        let error = read(&file, &roots).expect_err("refused");
        let grown = peak_memory() - before;
        assert!(grown < 64 * 1024 * 1024, "{grown} bytes more at peak: {error}");
    }

    /// The process's peak resident memory, in bytes.
    fn peak_memory() -> u64 {
        let status = std::fs::read_to_string("/proc/self/status").expect("status");
        status
            .lines()
            .find_map(|line| line.strip_prefix("VmHWM:"))
            .and_then(|value| value.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            .expect("VmHWM")
            * 1024
    }

    #[test]
    fn titles_fall_back_to_the_file_name() {
        assert_eq!(
            title_from_file_name(Path::new("/m/01 - Intro.flac")),
            "01 - Intro"
        );
    }
}
