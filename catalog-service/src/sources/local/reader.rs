//! Reading one audio file with lofty into a [`NewSong`], damaged tags
//! included.

use std::{fs::File, path::Path};

use common::confine::{OpenedFile, Opener, Roots};
use lofty::{
    config::{ParseOptions, ParsingMode},
    file::{FileType, TaggedFile},
    prelude::{Accessor, AudioFile, TaggedFileExt},
    probe::Probe,
};

use super::{
    damaged::{Mended, id3v2_end, mend_flac},
    tags::{FileStat, FoundFile, apply_tag, codec, content_type, limit_allocations, title_from_file_name},
    windowed::Windowed,
};
use crate::domain::{
    NewSong, SongKind,
    scan::{ScanProblem, Severity},
};

/// A file read for a scan: its song and, when its tags were damaged, a
/// warning to record; or, when it has no audio to play, the error.
pub fn read_for_scan(file: &FoundFile, roots: &Roots) -> Result<(NewSong, Option<ScanProblem>), ScanProblem> {
    scan_result(file, read(file, roots))
}

/// [`read_for_scan`] of a file [`open_for_scan`] opened.
pub fn read_opened_for_scan(
    file: &FoundFile,
    opened: &OpenedFile,
) -> Result<(NewSong, Option<ScanProblem>), ScanProblem> {
    scan_result(file, read_opened(file, opened))
}

/// Opens a file inside the music folders for [`read_opened_for_scan`].
pub fn open_for_scan(file: &FoundFile, opener: &mut Opener<'_>) -> Result<OpenedFile, ScanProblem> {
    opener.open(Path::new(&file.path)).map_err(|error| ScanProblem {
        path: file.path.clone(),
        kind: "unsupported_file",
        message: error.to_string(),
        severity: Severity::Error,
    })
}

fn scan_result(
    file: &FoundFile,
    read: Result<ReadFile, String>,
) -> Result<(NewSong, Option<ScanProblem>), ScanProblem> {
    let problem = |kind, message, severity| ScanProblem {
        path: file.path.clone(),
        kind,
        message,
        severity,
    };
    match read {
        Ok(ReadFile { song, damage }) => {
            let warning = damage.map(|message| problem("damaged_tags", message, Severity::Warning));
            Ok((song, warning))
        }
        Err(message) => Err(problem("unsupported_file", message, Severity::Error)),
    }
}

/// A file read: its song, and what was damaged in it (the song is then
/// listed with what could be read).
#[derive(Debug)]
pub struct ReadFile {
    pub song: NewSong,
    pub damage: Option<String>,
}

/// Reads tags and properties of a file inside the music folders `roots`.
/// Damaged tags do not keep a file out: they are read leniently, else left
/// aside (the file name standing for the title), and FLAC metadata blocks
/// that lie about their size are mended. The error (lofty's message, or why
/// the file was not opened) is for files with no audio to play.
pub fn read(file: &FoundFile, roots: &Roots) -> Result<ReadFile, String> {
    let opened = roots
        .open_file(Path::new(&file.path))
        .map_err(|error| error.to_string())?;
    read_opened(file, &opened)
}

/// [`read`] of a file already opened inside the music folders. The size
/// and time stored are the opened file's, whatever the walk saw.
fn read_opened(file: &FoundFile, opened: &OpenedFile) -> Result<ReadFile, String> {
    let mut read = read_tags(file, opened)?;
    let stat = FileStat::new(opened.len, opened.modified);
    read.song.size_bytes = Some(stat.size);
    read.song.modified_at = Some(stat.modified_at);
    Ok(read)
}

/// The song lofty's reading of an opened file gives, damaged tags included.
fn read_tags(file: &FoundFile, opened: &OpenedFile) -> Result<ReadFile, String> {
    limit_allocations();
    let path = Path::new(&file.path);
    let error = match parse(opened, path, ParseOptions::new()) {
        Ok(tagged) => {
            return Ok(ReadFile {
                song: song_of(file, &tagged),
                damage: None,
            });
        }
        Err(error) => error,
    };
    let fallbacks: [(ParseOptions, &str); 2] = [
        (
            ParseOptions::new().parsing_mode(ParsingMode::Relaxed),
            "damaged tags, read leniently",
        ),
        (
            ParseOptions::new().read_tags(false).read_cover_art(false),
            "unreadable tags, listed under its file name",
        ),
    ];
    for (options, what) in fallbacks {
        if let Ok(tagged) = parse(opened, path, options) {
            return Ok(damaged(file, &tagged, &error, what));
        }
    }
    if let Some(tagged) = mended_flac(&opened.file) {
        return Ok(damaged(
            file,
            &tagged,
            &error,
            "metadata blocks of a wrong size, read around",
        ));
    }
    match without_id3v2(&opened.file, path) {
        Some(tagged) => Ok(damaged(
            file,
            &tagged,
            &error,
            "unreadable ID3v2 tag skipped, listed under its file name",
        )),
        None => Err(error),
    }
}

/// The song of a file lofty read only with a fallback.
fn damaged(file: &FoundFile, tagged: &TaggedFile, error: &str, what: &str) -> ReadFile {
    ReadFile {
        song: song_of(file, tagged),
        damage: Some(format!("{error}: {what}")),
    }
}

/// Lofty's reading of the opened file with `options`.
fn parse(opened: &OpenedFile, path: &Path, options: ParseOptions) -> Result<TaggedFile, String> {
    let reader = Windowed::with_len(&opened.file, opened.len).map_err(|error| error.to_string())?;
    probe(reader, path)
        .and_then(|probe| probe.options(options).read())
        .map_err(|error| error.to_string())
}

/// A FLAC file read through its mended metadata ([`super::damaged`]).
fn mended_flac(opened: &File) -> Option<TaggedFile> {
    let (head, audio_start) = mend_flac(opened)?;
    let reader = Mended::new(head, opened.try_clone().ok()?, audio_start).ok()?;
    Probe::with_file_type(reader, FileType::Flac)
        .options(ParseOptions::new().read_cover_art(false))
        .read()
        .ok()
}

/// A file read from the end of an ID3v2 tag lofty cannot even skip (an
/// unknown version, a broken extended header): what follows is the audio.
fn without_id3v2(opened: &File, path: &Path) -> Option<TaggedFile> {
    let audio_start = id3v2_end(opened).filter(|end| *end > 0)?;
    let reader = Mended::new(Vec::new(), opened.try_clone().ok()?, audio_start).ok()?;
    Probe::with_file_type(reader, FileType::from_path(path)?)
        .options(ParseOptions::new().read_tags(false).read_cover_art(false))
        .read()
        .ok()
}

/// The song lofty's reading of `file` gives (its size and time are set
/// by [`read_opened`]).
fn song_of(file: &FoundFile, tagged: &TaggedFile) -> NewSong {
    let path = Path::new(&file.path);
    let properties = tagged.properties();
    let tag = tagged.primary_tag().or_else(|| tagged.first_tag());
    let file_name = path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut song = NewSong {
        id: file.id,
        kind: SongKind::Local,
        path: Some(file.path.clone()),
        title: tag
            .and_then(|tag| tag.title().map(|title| title.trim().to_owned()))
            .filter(|title| !title.is_empty())
            .unwrap_or_else(|| title_from_file_name(path)),
        file_name,
        content_type: Some(content_type(tagged.file_type()).to_owned()),
        duration_ms: Some(properties.duration().as_millis() as i64),
        bitrate_kbps: properties
            .audio_bitrate()
            .or(properties.overall_bitrate())
            .map(|b| b as i32),
        sample_rate: properties.sample_rate().map(|rate| rate as i32),
        channels: properties.channels().map(i32::from),
        codec: Some(codec(tagged.file_type()).to_owned()),
        embedded_cover: tagged.tags().iter().any(|tag| !tag.pictures().is_empty()),
        folder_cover: file.folder_cover.clone(),
        ..NewSong::default()
    };
    match tag {
        Some(tag) => apply_tag(&mut song, tag),
        None => song.set_credits(Vec::new(), None, None),
    }
    song
}

/// The opened file through [`Windowed`], typed by its extension (by its
/// content when the extension says nothing).
fn probe<'f>(
    reader: Windowed<&'f File>,
    path: &Path,
) -> Result<Probe<Windowed<&'f File>>, lofty::error::FileParseError> {
    Ok(match FileType::from_path(path) {
        Some(file_type) => Probe::with_file_type(reader, file_type),
        None => Probe::new(reader).guess_file_type()?,
    })
}
