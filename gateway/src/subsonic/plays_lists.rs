//! The `frequent` and `recent` album lists of `getAlbumList2` (and so of
//! `getAlbumList`): the ranked songs of the play figures, turned into
//! albums through the catalog's public API.

use std::collections::HashMap;

use futures_util::{StreamExt as _, stream};
use serde_json::Value;

use uuid::Uuid;

use super::{
    Call,
    catalog::Catalog,
    envelope::{Code, SubsonicError},
    play_figures::Ranking,
};

/// Ranked songs read from Redis at a time.
const SONG_PAGE: usize = 100;
/// Most ranked songs walked for one answer.
const MOST_WALKED: usize = 2_000;
/// `frequent` sums the plays of at least this many of the most played
/// songs (all of them when there are fewer)...
const FREQUENT_BREADTH: usize = 100;
/// ...and of this many per album asked for (`offset` + `size`), up to
/// [`MOST_WALKED`].
const FREQUENT_SONGS_PER_ALBUM: usize = 4;
/// Album details read at once.
const DETAILS_AT_ONCE: usize = 8;

/// `frequent`: albums by the plays of their songs among the most played
/// songs walked, most first; `size` after `offset`.
pub async fn frequent(call: &Call<'_>, offset: usize, size: usize) -> Result<Vec<Value>, SubsonicError> {
    let wanted = offset + size;
    let breadth = (wanted * FREQUENT_SONGS_PER_ALBUM).clamp(FREQUENT_BREADTH, MOST_WALKED);
    let mut albums = walk(call, Ranking::MostPlayed, wanted, breadth, |sum, plays| {
        sum + plays
    })
    .await?;
    // Stable: albums with as many plays keep the order of their best song.
    albums.sort_by(|a, b| b.1.total_cmp(&a.1));
    details(call, page(albums, offset, size)).await
}

/// `recent`: albums by their most recently played song, newest first;
/// `size` after `offset`.
pub async fn recent(call: &Call<'_>, offset: usize, size: usize) -> Result<Vec<Value>, SubsonicError> {
    let albums = walk(call, Ranking::RecentlyPlayed, offset + size, 0, f64::max).await?;
    details(call, page(albums, offset, size)).await
}

fn page(albums: Vec<(String, f64)>, offset: usize, size: usize) -> Vec<String> {
    albums
        .into_iter()
        .skip(offset)
        .take(size)
        .map(|(id, _)| id)
        .collect()
}

/// Walks the ranked songs, best first, until at least `breadth` songs are
/// walked and `wanted` albums found (or the songs, or [`MOST_WALKED`],
/// run out). Returns the albums in the order of their first song, each
/// with its songs' scores combined by `combine`.
async fn walk(
    call: &Call<'_>,
    ranking: Ranking,
    wanted: usize,
    breadth: usize,
    combine: fn(f64, f64) -> f64,
) -> Result<Vec<(String, f64)>, SubsonicError> {
    let mut albums: Vec<(String, f64)> = Vec::new();
    let mut positions: HashMap<String, usize> = HashMap::new();
    let mut walked = 0;
    while walked < MOST_WALKED && (walked < breadth || albums.len() < wanted) {
        let asked = SONG_PAGE.min(MOST_WALKED - walked);
        let ranked = call
            .gateway
            .play_figures
            .ranked(ranking, walked, asked)
            .await
            .map_err(unavailable)?;
        let ended = ranked.len() < asked;
        walked += ranked.len();
        let songs: Vec<String> = ranked.iter().map(|(song, _)| song.clone()).collect();
        let catalog = call.catalog();
        let on = call
            .gateway
            .song_albums
            .of(&songs, |song| album_of(&catalog, song))
            .await?;
        for ((_, score), album) in ranked.into_iter().zip(on) {
            let Some(album) = album else { continue };
            match positions.get(&album) {
                Some(&at) => albums[at].1 = combine(albums[at].1, score),
                None => {
                    positions.insert(album.clone(), albums.len());
                    albums.push((album, score));
                }
            }
        }
        if ended {
            break;
        }
    }
    Ok(albums)
}

/// The catalog's details of each album, in order; albums gone from the
/// catalog are left out.
async fn details(call: &Call<'_>, ids: Vec<String>) -> Result<Vec<Value>, SubsonicError> {
    let catalog = call.catalog();
    let catalog = &catalog;
    let found: Vec<Result<Value, SubsonicError>> = stream::iter(ids)
        .map(|id| async move { catalog.get_album(&id).await })
        .buffered(DETAILS_AT_ONCE)
        .collect()
        .await;
    found
        .into_iter()
        .filter(|album| !matches!(album, Err(error) if error.code == Code::NotFound))
        .collect()
}

fn unavailable(error: redis::RedisError) -> SubsonicError {
    tracing::warn!(%error, "subsonic album list: the play figures are unavailable");
    SubsonicError::generic("the play figures are unavailable")
}

/// The album of one song, from the catalog; `None` when it is gone.
async fn album_of(catalog: &Catalog<'_>, song: Uuid) -> Result<Option<String>, SubsonicError> {
    match catalog.get(&format!("songs/{song}"), &[]).await {
        Ok(detail) => Ok(detail["album"]["id"].as_str().map(str::to_owned)),
        Err(error) if error.code == Code::NotFound => Ok(None),
        Err(error) => Err(error),
    }
}
