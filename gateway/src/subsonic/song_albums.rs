//! Which album each song is on, as the catalog's public API says
//! (`GET songs/{id}`), remembered for a while: the `frequent` and `recent`
//! album lists turn ranked songs into albums, and mostly the same songs
//! rank call after call.

use std::{
    collections::HashMap,
    sync::{Mutex, PoisonError},
    time::{Duration, Instant},
};

use futures_util::{StreamExt as _, stream};
use uuid::Uuid;

use super::envelope::SubsonicError;

/// How long a song's album is remembered (a rescan may move a song).
const REMEMBERED_FOR: Duration = Duration::from_secs(600);
/// Most songs remembered; past it, what has expired is forgotten, and
/// everything if that is not enough.
const MOST_REMEMBERED: usize = 20_000;
/// Catalog lookups in flight at once for one answer.
const LOOKUPS_AT_ONCE: usize = 8;

/// The album ids of songs, remembered across calls.
#[derive(Default)]
pub struct SongAlbums {
    known: Mutex<HashMap<Uuid, Remembered>>,
}

struct Remembered {
    /// `None`: the catalog does not know the song.
    album: Option<String>,
    at: Instant,
}

impl SongAlbums {
    /// The album id of each of `songs`, in their order; `None` for a song
    /// the catalog does not know (or an id that is not a Tonearm id).
    /// `album_of` asks the catalog for a song not remembered.
    pub async fn of<F, Asked>(
        &self,
        songs: &[String],
        album_of: F,
    ) -> Result<Vec<Option<String>>, SubsonicError>
    where
        F: Fn(Uuid) -> Asked,
        Asked: Future<Output = Result<Option<String>, SubsonicError>>,
    {
        let ids: Vec<Option<Uuid>> = songs.iter().map(|song| Uuid::parse_str(song).ok()).collect();
        let mut albums: Vec<Option<Option<String>>> = ids
            .iter()
            .map(|id| match id {
                Some(id) => self.remembered(id),
                None => Some(None),
            })
            .collect();
        let missing: Vec<(usize, Uuid)> = ids
            .iter()
            .zip(&albums)
            .enumerate()
            .filter_map(|(at, (id, album))| album.is_none().then_some((at, (*id)?)))
            .collect();
        let looked_up: Vec<(usize, Uuid, Result<Option<String>, SubsonicError>)> = stream::iter(missing)
            .map(|(at, id)| {
                let asked = album_of(id);
                async move { (at, id, asked.await) }
            })
            .buffer_unordered(LOOKUPS_AT_ONCE)
            .collect()
            .await;
        for (at, id, album) in looked_up {
            let album = album?;
            self.remember(id, album.clone());
            albums[at] = Some(album);
        }
        Ok(albums.into_iter().map(Option::flatten).collect())
    }

    /// The remembered album of `song` (`Some(None)`: known to be unknown).
    fn remembered(&self, song: &Uuid) -> Option<Option<String>> {
        let known = self.known.lock().unwrap_or_else(PoisonError::into_inner);
        known
            .get(song)
            .filter(|entry| entry.at.elapsed() < REMEMBERED_FOR)
            .map(|entry| entry.album.clone())
    }

    fn remember(&self, song: Uuid, album: Option<String>) {
        let mut known = self.known.lock().unwrap_or_else(PoisonError::into_inner);
        if known.len() >= MOST_REMEMBERED {
            known.retain(|_, entry| entry.at.elapsed() < REMEMBERED_FOR);
            if known.len() >= MOST_REMEMBERED {
                known.clear();
            }
        }
        known.insert(
            song,
            Remembered {
                album,
                at: Instant::now(),
            },
        );
    }
}
