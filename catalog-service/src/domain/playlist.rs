//! Playlists: a user's ordered lists of songs, private or public.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::user::{FieldError, UserId};

/// Most songs one request may name (a playlist's whole order or the songs
/// appended), and most songs a playlist holds.
pub const MAX_REQUEST_SONGS: usize = 5_000;
pub const MAX_PLAYLIST_SONGS: i64 = 10_000;

/// A playlist's name: trimmed, 1 to 200 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlaylistName(String);

impl PlaylistName {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<&str> for PlaylistName {
    type Error = FieldError;

    fn try_from(text: &str) -> Result<Self, FieldError> {
        let text = text.trim();
        let length = text.chars().count();
        if !(1..=200).contains(&length) {
            return Err(FieldError::new("name", "expected 1 to 200 characters"));
        }
        Ok(Self(text.to_owned()))
    }
}

/// A playlist's comment: at most 2000 characters; empty means none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlaylistComment(Option<String>);

impl PlaylistComment {
    pub fn as_deref(&self) -> Option<&str> {
        self.0.as_deref()
    }
}

impl TryFrom<&str> for PlaylistComment {
    type Error = FieldError;

    fn try_from(text: &str) -> Result<Self, FieldError> {
        let text = text.trim();
        if text.chars().count() > 2000 {
            return Err(FieldError::new("comment", "expected at most 2000 characters"));
        }
        Ok(Self((!text.is_empty()).then(|| text.to_owned())))
    }
}

/// The songs a request names, in order (duplicates allowed), at most
/// [`MAX_REQUEST_SONGS`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SongList(Vec<Uuid>);

impl SongList {
    pub fn ids(&self) -> &[Uuid] {
        &self.0
    }
}

impl TryFrom<Vec<Uuid>> for SongList {
    type Error = FieldError;

    fn try_from(ids: Vec<Uuid>) -> Result<Self, FieldError> {
        if ids.len() > MAX_REQUEST_SONGS {
            return Err(FieldError::new("songs", "expected at most 5000 songs"));
        }
        Ok(Self(ids))
    }
}

/// A playlist to create.
#[derive(Debug, Clone)]
pub struct NewPlaylist {
    pub owner: UserId,
    pub name: PlaylistName,
    pub comment: PlaylistComment,
    pub public: bool,
    pub songs: SongList,
}

/// What a `PATCH` changes; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct PlaylistChange {
    pub name: Option<PlaylistName>,
    pub comment: Option<PlaylistComment>,
    pub public: Option<bool>,
}

/// A playlist with figures computed from its songs.
#[derive(Debug, Clone)]
pub struct Playlist {
    pub id: Uuid,
    pub owner: String,
    pub name: String,
    pub comment: Option<String>,
    pub public: bool,
    pub song_count: i64,
    pub duration_ms: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// What a user may do with a playlist.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Read and change it.
    Owner,
    /// Read it (someone else's public playlist).
    Reader,
    /// Nothing: someone else's private playlist, which must look missing.
    None,
}

impl Playlist {
    pub fn access(&self, user: &UserId) -> Access {
        if self.owner == user.as_str() {
            Access::Owner
        } else if self.public {
            Access::Reader
        } else {
            Access::None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(
            PlaylistName::try_from("  Road trip ").map(|n| n.0),
            Ok("Road trip".to_owned())
        );
        assert!(PlaylistName::try_from("   ").is_err());
        assert!(PlaylistName::try_from("x".repeat(201).as_str()).is_err());
        assert!(PlaylistName::try_from("é".repeat(200).as_str()).is_ok());
    }

    #[test]
    fn an_empty_comment_is_none_and_a_long_one_refused() {
        assert_eq!(PlaylistComment::try_from(" ").map(|c| c.0), Ok(None));
        assert!(PlaylistComment::try_from("x".repeat(2001).as_str()).is_err());
    }

    #[test]
    fn only_the_owner_changes_and_private_ones_are_hidden() {
        let mut playlist = Playlist {
            id: Uuid::nil(),
            owner: "u1".into(),
            name: "n".into(),
            comment: None,
            public: false,
            song_count: 0,
            duration_ms: 0,
            created_at: Utc::now(),
            updated_at: Utc::now(),
        };
        let (owner, other) = (UserId::try_from("u1"), UserId::try_from("u2"));
        let (Ok(owner), Ok(other)) = (owner, other) else {
            panic!("valid ids");
        };
        assert_eq!(playlist.access(&owner), Access::Owner);
        assert_eq!(playlist.access(&other), Access::None);
        playlist.public = true;
        assert_eq!(playlist.access(&other), Access::Reader);
    }
}
