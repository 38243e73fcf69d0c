//! Lists: `search3` (an empty query lists everything, paged: offline sync
//! depends on it) and `getAlbumList2`.

use serde_json::{Value, json};

use super::{Answer, Call, data, envelope::SubsonicError, shapes};

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
/// `offset`, each order read from the catalog's album list.
pub async fn album_list2(call: &Call<'_>) -> Result<Answer, SubsonicError> {
    let params = call.params;
    let kind = params.required("type")?;
    let size = params.count("size", 10, 500);
    let offset = params.count("offset", 0, 1_000_000);
    let catalog = call.catalog();
    let years;
    let query: &[(&str, &str)] = match kind {
        "alphabeticalByName" => &[],
        "alphabeticalByArtist" => &[("sort", "artist")],
        // A sample has no pages: every call is a new draw.
        "random" => &[("sort", "random")],
        "newest" => &[("sort", "added"), ("order", "desc")],
        "byGenre" => &[("genre", params.required("genre")?)],
        "byYear" => {
            years = Years::of(call)?;
            &[("sort", "year"), ("year", &years.range), ("order", years.order)]
        }
        "starred" => return answer(super::favourites::albums(call, offset, size).await?),
        "frequent" => return answer(super::plays_lists::frequent(call, offset, size).await?),
        "recent" => return answer(super::plays_lists::recent(call, offset, size).await?),
        // Tonearm keeps no ratings: the documented empty list.
        "highest" => return answer(Vec::new()),
        other => {
            return Err(SubsonicError::generic(format!("unknown list type: {other}")));
        }
    };
    let offset = if kind == "random" { 0 } else { offset };
    answer(catalog.slice("albums", query, offset, size).await?)
}

fn answer(albums: Vec<Value>) -> Result<Answer, SubsonicError> {
    let album: Vec<Value> = albums.iter().map(shapes::album).collect();
    Ok(data("albumList2", json!({ "album": album })))
}

/// `byYear`'s `fromYear` and `toYear` as the catalog's year range and
/// order: counting down when `fromYear` is the later one.
struct Years {
    range: String,
    order: &'static str,
}

impl Years {
    fn of(call: &Call<'_>) -> Result<Self, SubsonicError> {
        let year = |name: &str| -> Result<i64, SubsonicError> {
            call.params
                .required(name)?
                .trim()
                .parse()
                .ok()
                .filter(|year| (0..=9999).contains(year))
                .ok_or_else(|| SubsonicError::generic(format!("{name}: expected a year")))
        };
        let (from, to) = (year("fromYear")?, year("toYear")?);
        Ok(Self {
            range: format!("{}-{}", from.min(to), from.max(to)),
            order: if from <= to { "asc" } else { "desc" },
        })
    }
}
