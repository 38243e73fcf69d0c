//! Repositories: each source of songs or details is one implementation of
//! [`Repository`]. Songs a repository finds are written to the shared store
//! (PostgreSQL), where listing and search see every source at once; details
//! are asked of every enabled repository by the [`crate::index::Index`] and
//! merged into the answer under the repository's name.

pub mod internet;
pub mod lastfm;
pub mod local;

use futures_util::future::BoxFuture;

use crate::store::{
    library::{AlbumRow, ArtistRow},
    songs::SongRow,
};

/// What details are asked about.
#[derive(Debug, Clone, Copy)]
pub enum Subject<'a> {
    Song(&'a SongRow),
    Album(&'a AlbumRow),
    Artist(&'a ArtistRow),
}

/// One source of songs and/or details.
pub trait Repository: Send + Sync {
    /// Short stable name (`local`, `internet`, `lastfm`); the key of its
    /// details in API answers.
    fn name(&self) -> &'static str;

    /// Brings this repository's songs into the store (a library scan, a feed
    /// refresh). Repositories that only describe songs keep the default.
    fn refresh(&self) -> BoxFuture<'_, anyhow::Result<()>> {
        Box::pin(async { Ok(()) })
    }

    /// Extra details about `subject`, or `None` when there is nothing to
    /// add. Must not fail: a repository that cannot answer says so inside
    /// its value (e.g. `{"status":"unavailable"}`).
    fn details<'a>(&'a self, subject: Subject<'a>) -> BoxFuture<'a, Option<serde_json::Value>> {
        let _ = subject;
        Box::pin(async { None })
    }
}
