//! Content types of audio, and the only ones a stream response may carry.
//!
//! A song's bytes are served from Tonearm's own origin, where a browser
//! would run a script in an HTML answer with the user's cookie. So the type
//! sent is never what a remote origin says (it may answer `text/html` long
//! after the song was added); it comes from the catalog's row, and only
//! when that is audio.

use std::path::Path;

/// The type for bytes that are not known to be audio.
pub const OCTET_STREAM: &str = "application/octet-stream";

/// The ffmpeg demuxers a transcode may use: audio containers only, so a
/// file that is really a playlist or an HLS manifest is never followed.
pub const AUDIO_DEMUXERS: &str = "mp3,flac,ogg,mov,aac,wav,aiff,asf,matroska,ape,mpc,mpc8,wv";

/// The Content-Type of a stream response: the catalog's `row` type when it
/// is audio; without a row type, the audio type of `name`'s extension;
/// otherwise `application/octet-stream`.
pub fn served_type(row: Option<&str>, name: &Path) -> String {
    match row {
        Some(row) => audio_essence(row).unwrap_or_else(|| OCTET_STREAM.to_owned()),
        None => for_path(name).to_owned(),
    }
}

/// The ffmpeg demuxer for a song: from the catalog's row type, else from
/// `name`'s extension; `None` lets ffmpeg probe (within [`AUDIO_DEMUXERS`]).
pub fn demuxer(row: Option<&str>, name: &Path) -> Option<&'static str> {
    row.and_then(audio_essence)
        .and_then(|essence| demuxer_for_type(&essence))
        .or_else(|| demuxer_for_type(for_path(name)))
}

/// `audio/*` or `application/ogg`, lower-cased and without parameters;
/// `None` for anything else, or for text that is not a media type at all.
pub fn audio_essence(value: &str) -> Option<String> {
    let essence = value.split(';').next()?.trim().to_ascii_lowercase();
    let (kind, subtype) = essence.split_once('/')?;
    let token = |part: &str| !part.is_empty() && part.bytes().all(is_token_byte);
    let audio = kind == "audio" || essence == "application/ogg";
    (audio && token(kind) && token(subtype)).then_some(essence)
}

/// RFC 9110 `tchar`.
fn is_token_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&byte)
}

/// The content type for a file name's extension (audio or octet-stream).
pub fn for_path(path: &Path) -> &'static str {
    let extension = path
        .extension()
        .and_then(|ext| ext.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    match extension.as_str() {
        "mp3" => "audio/mpeg",
        "flac" => "audio/flac",
        "ogg" | "oga" | "opus" => "audio/ogg",
        "m4a" | "m4b" | "mp4" => "audio/mp4",
        "aac" => "audio/aac",
        "wav" => "audio/wav",
        "aif" | "aiff" => "audio/aiff",
        "wma" => "audio/x-ms-wma",
        "webm" => "audio/webm",
        "ape" => "audio/ape",
        "wv" => "audio/wavpack",
        _ => OCTET_STREAM,
    }
}

/// The demuxer for an audio type's essence (Musepack has two, so none).
fn demuxer_for_type(essence: &str) -> Option<&'static str> {
    Some(match essence {
        "audio/mpeg" | "audio/mp3" | "audio/mpeg3" | "audio/x-mpeg" | "audio/x-mp3" => "mp3",
        "audio/flac" | "audio/x-flac" => "flac",
        "audio/ogg" | "application/ogg" | "audio/opus" | "audio/vorbis" | "audio/x-ogg" => "ogg",
        "audio/mp4" | "audio/m4a" | "audio/x-m4a" | "audio/x-m4b" => "mov",
        "audio/aac" | "audio/aacp" | "audio/x-aac" => "aac",
        "audio/wav" | "audio/x-wav" | "audio/wave" | "audio/vnd.wave" => "wav",
        "audio/aiff" | "audio/x-aiff" => "aiff",
        "audio/x-ms-wma" => "asf",
        "audio/webm" => "matroska",
        "audio/ape" | "audio/x-ape" => "ape",
        "audio/wavpack" | "audio/x-wavpack" => "wv",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_audio_row_types_are_served() {
        let name = Path::new("/music/a.mp3");
        assert_eq!(served_type(Some("audio/ogg"), name), "audio/ogg");
        assert_eq!(served_type(Some("Audio/MPEG; charset=x"), name), "audio/mpeg");
        assert_eq!(served_type(Some("application/ogg"), name), "application/ogg");
        for hostile in [
            "text/html",
            "image/svg+xml",
            "audio/",
            "audio/mp<script>",
            "audio",
        ] {
            assert_eq!(served_type(Some(hostile), name), OCTET_STREAM, "{hostile}");
        }
        assert_eq!(served_type(None, name), "audio/mpeg");
        assert_eq!(served_type(None, Path::new("/e/page.html")), OCTET_STREAM);
    }

    #[test]
    fn the_demuxer_follows_the_row_then_the_extension() {
        assert_eq!(demuxer(Some("audio/flac"), Path::new("a.mp3")), Some("flac"));
        assert_eq!(demuxer(None, Path::new("a.M4A")), Some("mov"));
        assert_eq!(demuxer(Some("text/html"), Path::new("a.ogg")), Some("ogg"));
        assert_eq!(demuxer(Some("audio/musepack"), Path::new("a.mpc")), None);
        assert_eq!(demuxer(None, Path::new("playlist.m3u8")), None);
        for name in [
            "mp3", "flac", "ogg", "mov", "aac", "wav", "aiff", "asf", "matroska", "ape", "wv",
        ] {
            assert!(AUDIO_DEMUXERS.split(',').any(|listed| listed == name), "{name}");
        }
    }
}
