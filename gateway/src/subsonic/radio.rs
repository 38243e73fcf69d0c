//! `getInternetRadioStations`: the catalog's direct-URL sources (kind
//! `audio`, `GET channels`), each with its one song. Apps play a station's
//! `streamUrl` themselves; it is this server's own `stream` of that song,
//! with the caller's credentials, never the origin URL (which may carry a
//! private token and which the catalog shows to admins alone).

use serde_json::json;

use super::{Answer, Call, data, envelope::SubsonicError};

/// The credentials and client parameters a station's URL repeats.
const AUTH_PARAMS: &[&str] = &["apiKey", "u", "p", "t", "s", "v", "c"];

/// `getInternetRadioStations`: `internetRadioStations` `{internetRadioStation:
/// [{id, name, streamUrl}]}`, the id being the song's.
pub async fn stations(call: &Call<'_>) -> Result<Answer, SubsonicError> {
    let channels = call.catalog().get("channels", &[]).await?;
    let base = base_url(call);
    let mut stations = Vec::new();
    for channel in channels.as_array().into_iter().flatten() {
        if channel["kind"] != "audio" {
            continue;
        }
        let id = channel["id"].as_str().unwrap_or_default();
        let songs = call.catalog().items("songs", &[("source", id)], 1).await?;
        let Some(song) = songs.first() else {
            continue;
        };
        let Some(song_id) = song["id"].as_str() else {
            continue;
        };
        let name = channel["title"]
            .as_str()
            .or(song["title"].as_str())
            .unwrap_or("Radio");
        stations.push(json!({ "id": song_id, "name": name, "streamUrl": stream_url(&base, song_id, call) }));
    }
    Ok(data(
        "internetRadioStations",
        json!({ "internetRadioStation": stations }),
    ))
}

/// `http(s)://host` as the app reached this gateway.
fn base_url(call: &Call<'_>) -> String {
    let scheme = if call.gateway.is_https(call.req) {
        "https"
    } else {
        "http"
    };
    let info = call.req.connection_info();
    format!("{scheme}://{}", info.host())
}

fn stream_url(base: &str, song: &str, call: &Call<'_>) -> String {
    let Ok(mut url) = reqwest::Url::parse(&format!("{base}/rest/stream.view")) else {
        return format!("/rest/stream.view?id={song}");
    };
    {
        let mut query = url.query_pairs_mut();
        query.append_pair("id", song);
        for name in AUTH_PARAMS {
            if let Some(value) = call.params.get(name) {
                query.append_pair(name, value);
            }
        }
    }
    url.to_string()
}
