//! The ffmpeg command line: ffmpeg gets the least it needs to do the job.
//!
//! - Its input is always its standard input, never a path or a URL: a local
//!   file is the descriptor the service opened and confined to the music
//!   folders (a link swapped in afterwards changes nothing), a remote
//!   origin's body is fed through a pipe by the service's own SSRF-checked
//!   fetch.
//! - `-protocol_whitelist` allows only what that input needs (`file` to
//!   reopen the descriptor through `/proc/self/fd/0`, which keeps it
//!   seekable; `pipe` for a stream), so a crafted file cannot make ffmpeg
//!   open URLs or other files.
//! - `-format_whitelist` allows audio demuxers only, and `-f` names the
//!   demuxer when the catalog's type or the extension tells it.

use std::ffi::OsString;

use super::TranscodeRequest;
use crate::storage::mime::AUDIO_DEMUXERS;

/// The descriptor ffmpeg reopens: its standard input, the file the service
/// opened (Linux `/proc`, which the confinement check relies on too).
const OPENED_FILE: &str = "file:/proc/self/fd/0";

/// How ffmpeg's standard input carries the song.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputKind {
    /// Standard input is the opened local file (seekable).
    OpenedFile,
    /// Standard input is a pipe the service writes a stream into.
    Pipe,
}

/// What ffmpeg reads: where, and in which container when it is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InputSpec {
    pub kind: InputKind,
    /// An ffmpeg demuxer name (`mp3`, `flac`...); `None` probes among
    /// the audio demuxers.
    pub demuxer: Option<&'static str>,
}

impl InputSpec {
    fn protocols(self) -> &'static str {
        match self.kind {
            InputKind::OpenedFile => "file",
            InputKind::Pipe => "pipe",
        }
    }

    fn url(self) -> &'static str {
        match self.kind {
            InputKind::OpenedFile => OPENED_FILE,
            InputKind::Pipe => "pipe:0",
        }
    }
}

impl TranscodeRequest {
    /// The ffmpeg arguments reading `input` from standard input and writing
    /// the requested format to standard output.
    pub fn ffmpeg_args(&self, input: InputSpec) -> Vec<OsString> {
        let (codec, container) = self.format.codec_and_container();
        // -nostdin: standard input is the song, never keyboard commands.
        let mut args = vec!["-hide_banner", "-loglevel", "error", "-nostdin"];
        args.extend(["-protocol_whitelist", input.protocols()]);
        args.extend(["-format_whitelist", AUDIO_DEMUXERS]);
        if let Some(demuxer) = input.demuxer {
            args.extend(["-f", demuxer]);
        }
        let mut args: Vec<OsString> = args.into_iter().map(OsString::from).collect();
        if let Some(offset) = self.offset_secs {
            // Before -i: a fast input seek rather than decoding up to it.
            args.extend(["-ss".into(), format!("{offset:.3}").into()]);
        }
        let bitrate = format!("{}k", self.bitrate_kbps);
        args.extend(
            [
                "-i",
                input.url(),
                "-map",
                "0:a:0",
                "-vn",
                "-map_metadata",
                "-1",
                "-c:a",
                codec,
                "-b:a",
                &bitrate,
                "-f",
                container,
                "pipe:1",
            ]
            .into_iter()
            .map(OsString::from),
        );
        args
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transcode::Format;

    fn request() -> TranscodeRequest {
        TranscodeRequest {
            format: Format::Opus,
            bitrate_kbps: 96,
            offset_secs: Some(12.5),
        }
    }

    fn text(args: &[OsString]) -> Vec<String> {
        args.iter()
            .map(|arg| arg.to_string_lossy().into_owned())
            .collect()
    }

    /// The value following `flag`, which must come before `-i`.
    fn input_option<'a>(args: &'a [String], flag: &str) -> Option<&'a str> {
        let input = args.iter().position(|arg| arg == "-i")?;
        let at = args[..input].iter().position(|arg| arg == flag)?;
        args.get(at + 1).map(String::as_str)
    }

    #[test]
    fn a_local_transcode_reads_the_opened_descriptor_with_only_the_file_protocol() {
        let args = text(&request().ffmpeg_args(InputSpec {
            kind: InputKind::OpenedFile,
            demuxer: Some("flac"),
        }));
        assert_eq!(
            args.iter().filter(|arg| *arg == "-i").count(),
            1,
            "one input only"
        );
        assert_eq!(input_option(&args, "-protocol_whitelist"), Some("file"));
        assert_eq!(input_option(&args, "-format_whitelist"), Some(AUDIO_DEMUXERS));
        assert_eq!(input_option(&args, "-f"), Some("flac"));
        assert_eq!(input_option(&args, "-ss"), Some("12.500"));
        let input = args.iter().position(|arg| arg == "-i").expect("-i");
        assert_eq!(args[input + 1], "file:/proc/self/fd/0");
        assert!(args.contains(&"-nostdin".to_owned()));
        assert!(
            !args
                .iter()
                .any(|arg| arg.contains("/music") || arg.contains("http")),
            "no path or URL: {args:?}"
        );
    }

    #[test]
    fn a_remote_transcode_reads_a_pipe_with_only_the_pipe_protocol() {
        let args = text(&request().ffmpeg_args(InputSpec {
            kind: InputKind::Pipe,
            demuxer: None,
        }));
        assert_eq!(input_option(&args, "-protocol_whitelist"), Some("pipe"));
        assert_eq!(input_option(&args, "-f"), None, "probed, within the whitelist");
        let input = args.iter().position(|arg| arg == "-i").expect("-i");
        assert_eq!(args[input + 1], "pipe:0");
        assert!(!args.iter().any(|arg| arg.contains("://")), "no URL: {args:?}");
        assert_eq!(args.last().map(String::as_str), Some("pipe:1"));
    }
}
