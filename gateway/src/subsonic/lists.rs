//! Lists: `search3` (an empty query lists everything, paged: offline sync
//! depends on it) and `getAlbumList2`.

use std::collections::HashSet;

use futures_util::future::join_all;
use serde_json::{Value, json};

use super::{Answer, Call, data, envelope::SubsonicError, shapes};

/// Most albums read for the orders the catalog has no sort for.
const MAX_ALBUMS: usize = 20_000;

/// `search3`: artists, albums and songs matching `query`, each paged by
/// its own `*Count`/`*Offset`.
pub async fn search3(call: &Call<'_>) -> Result<Answer, SubsonicError> {
    let params = call.params;
    let query = params
        .get("query")
        .unwrap_or_default()
        .trim()
        .trim_matches('"')
        .trim();
    let page = |name: &str| {
        (
            params.count(&format!("{name}Offset"), 0, 1_000_000),
            params.count(&format!("{name}Count"), 20, 500),
        )
    };
    let ((artist_offset, artists), (album_offset, albums), (song_offset, songs)) =
        (page("artist"), page("album"), page("song"));
    let catalog = call.catalog();
    let result = if query.is_empty() {
        let artists = catalog.slice("artists", &[], artist_offset, artists).await?;
        let albums = catalog.slice("albums", &[], album_offset, albums).await?;
        let songs = catalog.slice("songs", &[], song_offset, songs).await?;
        json!({
            "artist": artists.iter().map(shapes::artist).collect::<Vec<_>>(),
            "album": albums.iter().map(shapes::album).collect::<Vec<_>>(),
            "song": songs.iter().map(shapes::song).collect::<Vec<_>>(),
        })
    } else {
        let most = [
            artist_offset + artists,
            album_offset + albums,
            song_offset + songs,
        ]
        .into_iter()
        .max()
        .unwrap_or(1)
        .clamp(1, 500)
        .to_string();
        let query: String = query.chars().take(200).collect();
        let found = catalog.get("search", &[("q", &query), ("limit", &most)]).await?;
        let take = |key: &str, offset: usize, count: usize, shape: fn(&Value) -> Value| -> Vec<Value> {
            found[key]
                .as_array()
                .map(|items| items.iter().skip(offset).take(count).map(shape).collect())
                .unwrap_or_default()
        };
        json!({
            "artist": take("artists", artist_offset, artists, shapes::artist),
            "album": take("albums", album_offset, albums, shapes::album_hit),
            "song": take("songs", song_offset, songs, shapes::song),
        })
    };
    Ok(data("searchResult3", result))
}

/// `getAlbumList2`: albums in the asked order, `size` (at most 500) after
/// `offset`.
pub async fn album_list2(call: &Call<'_>) -> Result<Answer, SubsonicError> {
    let params = call.params;
    let kind = params.required("type")?;
    let size = params.count("size", 10, 500);
    let offset = params.count("offset", 0, 1_000_000);
    let catalog = call.catalog();
    let albums = match kind {
        "alphabeticalByName" => catalog.slice("albums", &[], offset, size).await?,
        "alphabeticalByArtist" => {
            let mut all = catalog.items("albums", &[], MAX_ALBUMS).await?;
            all.sort_by_cached_key(|album| {
                (
                    text(&album["artist"]["name"]).to_lowercase(),
                    text(&album["title"]).to_lowercase(),
                )
            });
            all.into_iter().skip(offset).take(size).collect()
        }
        "random" => {
            let mut all = catalog.items("albums", &[], MAX_ALBUMS).await?;
            shuffle(&mut all)?;
            all.into_iter().take(size).collect()
        }
        "newest" => {
            let query = [("sort", "added"), ("order", "desc")];
            from_songs(call, &query, offset, size).await?
        }
        "byGenre" => {
            let genre = params.required("genre")?;
            from_songs(call, &[("genre", genre), ("sort", "album")], offset, size).await?
        }
        "byYear" => by_year(call, offset, size).await?,
        "starred" => super::favourites::albums(call, offset, size).await?,
        // Orders that need play counts or ratings Tonearm does not keep
        // yet: the documented empty list.
        "frequent" | "recent" | "highest" => Vec::new(),
        other => {
            return Err(SubsonicError::generic(format!("unknown list type: {other}")));
        }
    };
    let album: Vec<Value> = albums.iter().map(shapes::album).collect();
    Ok(data("albumList2", json!({ "album": album })))
}

fn text(value: &Value) -> &str {
    value.as_str().unwrap_or_default()
}

/// Albums of the songs listed by `query`, in the songs' order, read in
/// full from the catalog.
async fn from_songs(
    call: &Call<'_>,
    query: &[(&str, &str)],
    offset: usize,
    size: usize,
) -> Result<Vec<Value>, SubsonicError> {
    let ids = album_ids(call, query, offset + size, &mut HashSet::new()).await?;
    details(call, ids.into_iter().skip(offset).take(size).collect()).await
}

/// Distinct album ids of the songs of `query`, up to `need`, skipping `seen`.
async fn album_ids(
    call: &Call<'_>,
    query: &[(&str, &str)],
    need: usize,
    seen: &mut HashSet<String>,
) -> Result<Vec<String>, SubsonicError> {
    // An album has some songs: read a few per album wanted.
    let songs = call
        .catalog()
        .items("songs", query, need.saturating_mul(20))
        .await?;
    let mut ids = Vec::new();
    for song in &songs {
        let id = text(&song["album"]["id"]).to_owned();
        if !id.is_empty() && ids.len() < need && seen.insert(id.clone()) {
            ids.push(id);
        }
    }
    Ok(ids)
}

async fn details(call: &Call<'_>, ids: Vec<String>) -> Result<Vec<Value>, SubsonicError> {
    let catalog = call.catalog();
    let found = join_all(ids.iter().map(|id| catalog.get_album(id))).await;
    Ok(found.into_iter().filter_map(Result::ok).collect())
}

/// `byYear`: `fromYear` to `toYear`, counting down when `fromYear` is the
/// later one.
async fn by_year(call: &Call<'_>, offset: usize, size: usize) -> Result<Vec<Value>, SubsonicError> {
    let year = |name: &str| -> Result<i64, SubsonicError> {
        call.params
            .required(name)?
            .trim()
            .parse()
            .map_err(|_| SubsonicError::generic(format!("{name}: expected a year")))
    };
    let (from, to) = (year("fromYear")?, year("toYear")?);
    let years: Vec<i64> = if from <= to {
        (from..=to).collect()
    } else {
        (to..=from).rev().collect()
    };
    let mut seen = HashSet::new();
    let mut ids = Vec::new();
    let need = offset + size;
    // Far-apart years are not walked one by one beyond a few centuries.
    for year in years.into_iter().take(400) {
        let year = year.to_string();
        let found = album_ids(
            call,
            &[("year", &year), ("sort", "album")],
            need - ids.len(),
            &mut seen,
        )
        .await?;
        ids.extend(found);
        if ids.len() >= need {
            break;
        }
    }
    details(call, ids.into_iter().skip(offset).take(size).collect()).await
}

/// Fisher-Yates with the system's randomness.
fn shuffle(items: &mut [Value]) -> Result<(), SubsonicError> {
    let mut random = vec![0_u8; items.len() * 4];
    getrandom::fill(&mut random).map_err(|_| SubsonicError::generic("no randomness available"))?;
    for i in (1..items.len()).rev() {
        let at = i * 4;
        let r = u32::from_le_bytes([random[at], random[at + 1], random[at + 2], random[at + 3]]);
        let j = usize::try_from(r).unwrap_or(0) % (i + 1);
        items.swap(i, j);
    }
    Ok(())
}
