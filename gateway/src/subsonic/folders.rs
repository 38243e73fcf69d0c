//! The folder-style browsing of older apps (DSub's default), mapped onto
//! tags: `getIndexes` lists artists as the top folders, and
//! `getMusicDirectory` opens an artist (its albums as folders) or an
//! album (its songs).

use serde_json::{Value, json};

use super::{
    Answer, Call, browse, data,
    envelope::{Code, SubsonicError},
    shapes,
};

/// `getIndexes`: the artists, by first letter, as folders.
pub async fn indexes(call: &Call<'_>) -> Result<Answer, SubsonicError> {
    let mut artists = browse::artists_payload(call).await?;
    artists["lastModified"] = json!(0);
    Ok(data("indexes", artists))
}

/// `getMusicDirectory`: an artist id opens their albums, an album id its
/// songs.
pub async fn directory(call: &Call<'_>) -> Result<Answer, SubsonicError> {
    let id = call.params.id("id")?.to_string();
    let catalog = call.catalog();
    match catalog.get(&format!("artists/{id}"), &[]).await {
        Ok(artist) => {
            let child: Vec<Value> = artist["albums"]
                .as_array()
                .map(|albums| albums.iter().map(|album| album_folder(album, &id)).collect())
                .unwrap_or_default();
            return Ok(data(
                "directory",
                json!({ "id": id, "name": artist["name"], "child": child }),
            ));
        }
        Err(error) if error.code == Code::NotFound => {}
        Err(error) => return Err(error),
    }
    let album = catalog.get_album(&id).await?;
    let child: Vec<Value> = album["songs"]
        .as_array()
        .map(|songs| songs.iter().map(shapes::song).collect())
        .unwrap_or_default();
    Ok(data(
        "directory",
        json!({
            "id": id, "name": album["title"], "parent": album["artist"]["id"], "child": child
        }),
    ))
}

/// An album as a folder inside its artist's.
fn album_folder(album: &Value, parent: &str) -> Value {
    let mut folder = shapes::album(album);
    folder["parent"] = json!(parent);
    folder["isDir"] = json!(true);
    folder["title"] = album["title"].clone();
    folder["album"] = album["title"].clone();
    folder
}

/// Albums (`albumID3`) as the folder `child`s of the pre-ID3 methods.
pub fn as_folders(albums: &mut Value) {
    for album in albums.as_array_mut().into_iter().flatten() {
        album["isDir"] = json!(true);
        album["title"] = album["name"].clone();
        album["album"] = album["name"].clone();
        if let Some(artist) = album.get("artistId").cloned() {
            album["parent"] = artist;
        }
    }
}

/// Renames the one member of a method's answer and turns its albums into
/// folders: `getAlbumList` from `getAlbumList2`, `search2` from `search3`.
pub fn older(answer: Answer, from: &str, to: &str) -> Result<Answer, SubsonicError> {
    let Answer::Data(mut payload) = answer else {
        return Err(SubsonicError::generic("unexpected answer"));
    };
    let mut body = payload.remove(from).unwrap_or_else(|| json!({}));
    as_folders(&mut body["album"]);
    Ok(data(to, body))
}

/// `getSongsByGenre` (`genre`, `count` default 10 at most 500, `offset`).
pub async fn songs_by_genre(call: &Call<'_>) -> Result<Answer, SubsonicError> {
    let genre = call.params.required("genre")?;
    let count = call.params.count("count", 10, 500);
    let offset = call.params.count("offset", 0, 1_000_000);
    let songs = call
        .catalog()
        .slice("songs", &[("genre", genre)], offset, count)
        .await?;
    let song: Vec<Value> = songs.iter().map(shapes::song).collect();
    Ok(data("songsByGenre", json!({ "song": song })))
}
