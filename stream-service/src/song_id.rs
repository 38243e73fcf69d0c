//! The only thing a client names: a song id.

use std::{fmt, str::FromStr};

use uuid::Uuid;

/// A song id: a hyphenated UUID (`0f3c…-…`), as the catalog hands them out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SongId(Uuid);

/// The text given was not a song id.
#[derive(Debug, thiserror::Error)]
#[error("{0:?} is not a song id (expected a UUID such as 0b7c1f6e-2d4a-4f7e-9a3b-5c6d7e8f9a0b)")]
pub struct InvalidSongId(String);

impl SongId {
    pub fn as_uuid(&self) -> Uuid {
        self.0
    }
}

impl FromStr for SongId {
    type Err = InvalidSongId;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        // Only the hyphenated form the catalog publishes; braces, URNs and
        // the 32-digit form would give one song several URLs.
        let shown = || InvalidSongId(text.chars().take(64).collect());
        if text.len() != 36 {
            return Err(shown());
        }
        Uuid::try_parse(text).map(Self).map_err(|_| shown())
    }
}

impl fmt::Display for SongId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.hyphenated().fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hyphenated_uuids_are_song_ids() {
        let id: SongId = "0B7C1F6E-2D4A-4F7E-9A3B-5C6D7E8F9A0B".parse().expect("a uuid");
        assert_eq!(id.to_string(), "0b7c1f6e-2d4a-4f7e-9a3b-5c6d7e8f9a0b");
    }

    #[test]
    fn anything_else_is_refused() {
        for text in [
            "",
            "42",
            "../../etc/passwd",
            "0b7c1f6e2d4a4f7e9a3b5c6d7e8f9a0b",
            "{0b7c1f6e-2d4a}",
        ] {
            assert!(text.parse::<SongId>().is_err(), "{text}");
        }
    }
}
