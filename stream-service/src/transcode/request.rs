//! `?format=opus|mp3|aac&bitrate=N&offset=S`, parsed at the edge.

use crate::error::StreamError;

/// Bitrates accepted, in kbit/s.
pub const BITRATES: std::ops::RangeInclusive<u32> = 32..=320;
/// Offsets accepted, in seconds (a day covers any song or podcast).
const MAX_OFFSET_SECS: f64 = 86_400.0;

/// An output format a player can ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Opus,
    Mp3,
    Aac,
}

impl Format {
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "opus" => Some(Self::Opus),
            "mp3" => Some(Self::Mp3),
            "aac" => Some(Self::Aac),
            _ => None,
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Self::Opus => "audio/ogg; codecs=opus",
            Self::Mp3 => "audio/mpeg",
            Self::Aac => "audio/aac",
        }
    }

    /// File name extension for downloads.
    pub fn extension(self) -> &'static str {
        match self {
            Self::Opus => "opus",
            Self::Mp3 => "mp3",
            Self::Aac => "aac",
        }
    }

    fn default_bitrate(self) -> u32 {
        match self {
            Self::Opus => 96,
            Self::Mp3 | Self::Aac => 128,
        }
    }

    /// Encoder and container: streamable ones only (no seek-back needed).
    pub(super) fn codec_and_container(self) -> (&'static str, &'static str) {
        match self {
            Self::Opus => ("libopus", "ogg"),
            Self::Mp3 => ("libmp3lame", "mp3"),
            Self::Aac => ("aac", "adts"),
        }
    }
}

/// A validated transcode request.
#[derive(Debug, Clone, PartialEq)]
pub struct TranscodeRequest {
    pub format: Format,
    pub bitrate_kbps: u32,
    pub offset_secs: Option<f64>,
}

impl TranscodeRequest {
    /// `None` when no format is asked (the original bytes are served);
    /// a 400 naming the parameter when one is bad.
    pub fn from_query(
        format: Option<&str>,
        bitrate: Option<&str>,
        offset: Option<&str>,
    ) -> Result<Option<Self>, StreamError> {
        let Some(format) = format else {
            if bitrate.is_some() || offset.is_some() {
                return Err(invalid(
                    "invalid_format",
                    "bitrate and offset need a format (opus, mp3 or aac)",
                ));
            }
            return Ok(None);
        };
        let format = Format::parse(format).ok_or_else(|| {
            invalid(
                "invalid_format",
                format!("unknown format {format:?}: expected opus, mp3 or aac"),
            )
        })?;
        let bitrate_kbps = match bitrate {
            None => format.default_bitrate(),
            Some(text) => text
                .parse()
                .ok()
                .filter(|rate| BITRATES.contains(rate))
                .ok_or_else(|| {
                    invalid(
                        "invalid_bitrate",
                        format!("bitrate {text:?} is out of range: expected kbit/s from 32 to 320"),
                    )
                })?,
        };
        let offset_secs = offset
            .map(|text| {
                text.parse::<f64>()
                    .ok()
                    .filter(|secs| secs.is_finite() && (0.0..=MAX_OFFSET_SECS).contains(secs))
                    .ok_or_else(|| {
                        invalid(
                            "invalid_offset",
                            format!("offset {text:?} is invalid: expected seconds from 0 to 86400"),
                        )
                    })
            })
            .transpose()?;
        Ok(Some(Self {
            format,
            bitrate_kbps,
            offset_secs,
        }))
    }
}

fn invalid(code: &'static str, message: impl Into<String>) -> StreamError {
    StreamError::InvalidQuery {
        code,
        message: message.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(
        format: Option<&str>,
        bitrate: Option<&str>,
        offset: Option<&str>,
    ) -> Result<Option<TranscodeRequest>, StreamError> {
        TranscodeRequest::from_query(format, bitrate, offset)
    }

    #[test]
    fn no_format_means_the_original() {
        assert!(parse(None, None, None).expect("valid").is_none());
    }

    #[test]
    fn defaults_and_bounds() {
        let request = parse(Some("opus"), None, Some("12.5"))
            .expect("valid")
            .expect("transcode");
        assert_eq!((request.bitrate_kbps, request.offset_secs), (96, Some(12.5)));
        for (format, bitrate, offset) in [
            (Some("wav"), None, None),
            (Some("mp3"), Some("8"), None),
            (Some("mp3"), Some("abc"), None),
            (Some("aac"), None, Some("-1")),
            (Some("aac"), None, Some("NaN")),
            (None, Some("128"), None),
        ] {
            assert!(
                parse(format, bitrate, offset).is_err(),
                "{format:?} {bitrate:?} {offset:?}"
            );
        }
    }
}
