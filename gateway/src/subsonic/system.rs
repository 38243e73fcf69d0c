//! Methods about the server and the account: `getLicense`,
//! `getOpenSubsonicExtensions`, `getMusicFolders`, `getUser`.

use serde_json::{Value, json};

use super::{Answer, Call, EXTENSIONS, data, envelope::SubsonicError};
use crate::auth::{Role, users::Username};

/// Tonearm needs no licence: always valid.
pub fn license() -> Answer {
    data("license", json!({ "valid": true }))
}

/// The OpenSubsonic extensions implemented.
pub fn extensions() -> Answer {
    let list: Vec<Value> = EXTENSIONS
        .iter()
        .map(|name| json!({ "name": name, "versions": [1] }))
        .collect();
    data("openSubsonicExtensions", Value::Array(list))
}

/// Tonearm has one library: one folder, id 1.
pub fn music_folders() -> Answer {
    data(
        "musicFolders",
        json!({ "musicFolder": [{ "id": 1, "name": "Music" }] }),
    )
}

/// The caller, or (for an admin) any user; another user for a listener is
/// error 50.
pub async fn user(call: &Call<'_>) -> Result<Answer, SubsonicError> {
    let name = call.params.required("username")?;
    let wanted = Username::try_from(name).map_err(|_| SubsonicError::not_found("user"))?;
    let (username, role) = if wanted.as_str() == call.user.username {
        (call.user.username.clone(), call.user.role)
    } else if call.user.role == Role::Admin {
        let found = call
            .gateway
            .users
            .by_name(&wanted)
            .await
            .map_err(|_| SubsonicError::generic("the account store is unavailable"))?
            .ok_or_else(|| SubsonicError::not_found("user"))?;
        (found.username.clone(), found.role())
    } else {
        return Err(SubsonicError::new(
            super::envelope::Code::NotAuthorized,
            "only an admin may look at another user",
        ));
    };
    Ok(data("user", user_shape(&username, role)))
}

fn user_shape(username: &str, role: Role) -> Value {
    let admin = role == Role::Admin;
    json!({
        "username": username, "scrobblingEnabled": true, "adminRole": admin,
        "settingsRole": true, "downloadRole": true, "uploadRole": false, "playlistRole": true,
        "coverArtRole": false, "commentRole": false, "podcastRole": false, "streamRole": true,
        "jukeboxRole": false, "shareRole": false, "videoConversionRole": false, "folder": [1]
    })
}
