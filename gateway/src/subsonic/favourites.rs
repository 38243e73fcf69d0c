//! Favourites: `star`, `unstar`, `getStarred`, `getStarred2`, and the
//! `starred` album list, answered from the catalog's `favourites` routes.

use reqwest::Method;
use serde_json::{Value, json};

use super::{
    Answer, Call, data,
    envelope::{Code, SubsonicError},
    folders, shapes,
};

/// `star`: every `id` (a song, or for folder-browsing apps an album or
/// artist), `albumId` and `artistId` given.
pub async fn star(call: &Call<'_>) -> Result<Answer, SubsonicError> {
    change(call, Method::PUT).await
}

/// `unstar`: as `star`, removing.
pub async fn unstar(call: &Call<'_>) -> Result<Answer, SubsonicError> {
    change(call, Method::DELETE).await
}

async fn change(call: &Call<'_>, method: Method) -> Result<Answer, SubsonicError> {
    let params = call.params;
    let (ids, albums, artists) = (params.ids("id")?, params.ids("albumId")?, params.ids("artistId")?);
    if ids.is_empty() && albums.is_empty() && artists.is_empty() {
        return Err(SubsonicError::missing("id"));
    }
    let changed = apply(call, &method, ids, albums, artists).await;
    // Whatever went through: the next answer reads the favourites afresh.
    call.gateway.starred_times.forget(call.user.id);
    changed.map(|()| Answer::Data(serde_json::Map::new()))
}

async fn apply(
    call: &Call<'_>,
    method: &Method,
    ids: Vec<uuid::Uuid>,
    albums: Vec<uuid::Uuid>,
    artists: Vec<uuid::Uuid>,
) -> Result<(), SubsonicError> {
    let catalog = call.catalog();
    for id in ids {
        // Older apps star an album or artist folder by its `id`: a star goes
        // to the first kind that has the id; an unstar (idempotent) to all.
        let mut done = false;
        for kind in ["songs", "albums", "artists"] {
            match catalog
                .send(method.clone(), &format!("favourites/{kind}/{id}"), None)
                .await
            {
                Ok(_) if *method == Method::PUT => {
                    done = true;
                    break;
                }
                Ok(_) => done = true,
                Err(error) if error.code == Code::NotFound => {}
                Err(error) => return Err(error),
            }
        }
        if !done {
            return Err(SubsonicError::not_found("item"));
        }
    }
    for (kind, ids) in [("albums", albums), ("artists", artists)] {
        for id in ids {
            catalog
                .send(method.clone(), &format!("favourites/{kind}/{id}"), None)
                .await?;
        }
    }
    Ok(())
}

/// `shape` of each starred item, with its `starred` time.
fn starred(items: &Value, shape: fn(&Value) -> Value) -> Vec<Value> {
    items
        .as_array()
        .map(|items| {
            items
                .iter()
                .map(|item| {
                    let mut out = shape(item);
                    out["starred"] = item["starred_at"].clone();
                    out
                })
                .collect()
        })
        .unwrap_or_default()
}

/// `getStarred2`: `starred2` `{artist: [artistID3], album: [albumID3],
/// song: [child]}`, each with `starred`, newest first.
pub async fn starred2(call: &Call<'_>) -> Result<Answer, SubsonicError> {
    let found = call.catalog().get("favourites", &[]).await?;
    Ok(data(
        "starred2",
        json!({
            "artist": starred(&found["artists"], shapes::artist),
            "album": starred(&found["albums"], shapes::album),
            "song": starred(&found["songs"], shapes::song),
        }),
    ))
}

/// `getStarred`: as `getStarred2` in `starred`, albums as folders.
pub async fn starred1(call: &Call<'_>) -> Result<Answer, SubsonicError> {
    let found = call.catalog().get("favourites", &[]).await?;
    let mut albums = Value::Array(starred(&found["albums"], shapes::album));
    folders::as_folders(&mut albums);
    Ok(data(
        "starred",
        json!({
            "artist": starred(&found["artists"], shapes::artist),
            "album": albums,
            "song": starred(&found["songs"], shapes::song),
        }),
    ))
}

/// The `starred` album list: the caller's starred albums, newest first.
pub async fn albums(call: &Call<'_>, offset: usize, size: usize) -> Result<Vec<Value>, SubsonicError> {
    let found = call.catalog().get("favourites", &[]).await?;
    Ok(found["albums"]
        .as_array()
        .map(|albums| albums.iter().skip(offset).take(size).cloned().collect())
        .unwrap_or_default())
}
