//! `getPodcasts` and `getNewestPodcasts`: the catalog's podcast feeds
//! (Internet sources of kind `feed`, `GET channels`) as channels, their
//! songs (`GET songs?source=<id>`) as episodes. Tonearm imports episodes
//! as songs and streams them from their origin, so every episode is
//! `completed` and played by its `streamId` like any song.

use serde_json::{Value, json};

use super::{Answer, Call, data, envelope::SubsonicError, shapes};

/// Episodes listed per channel.
const EPISODES: usize = 500;

/// The podcast feeds among the catalog's channels.
async fn feeds(call: &Call<'_>) -> Result<Vec<Value>, SubsonicError> {
    let channels = call.catalog().get("channels", &[]).await?;
    Ok(channels
        .as_array()
        .map(|all| {
            all.iter()
                .filter(|channel| channel["kind"] == "feed")
                .cloned()
                .collect()
        })
        .unwrap_or_default())
}

/// A channel's newest episodes first.
async fn episodes(call: &Call<'_>, channel: &Value, count: usize) -> Result<Vec<Value>, SubsonicError> {
    let id = channel["id"].as_str().unwrap_or_default();
    let songs = call
        .catalog()
        .items(
            "songs",
            &[("source", id), ("sort", "added"), ("order", "desc")],
            count,
        )
        .await?;
    Ok(songs.iter().take(count).map(|song| episode(song, id)).collect())
}

fn episode(song: &Value, channel: &str) -> Value {
    let mut shaped = shapes::song(song);
    if let Value::Object(fields) = &mut shaped {
        fields.insert("streamId".into(), song["id"].clone());
        fields.insert("channelId".into(), channel.into());
        fields.insert("status".into(), "completed".into());
        fields.insert("publishDate".into(), song["added_at"].clone());
        fields.insert("type".into(), "podcast".into());
        fields.insert("mediaType".into(), "podcast".into());
    }
    shaped
}

fn channel_shape(channel: &Value, episodes: Option<Vec<Value>>) -> Value {
    let mut shaped = json!({
        "id": channel["id"],
        "url": "",
        "title": channel["title"].as_str().unwrap_or("Podcast"),
        "status": "completed",
    });
    if let (Value::Object(fields), Some(image)) = (&mut shaped, channel["image_url"].as_str()) {
        fields.insert("originalImageUrl".into(), image.into());
    }
    if let (Value::Object(fields), Some(episodes)) = (&mut shaped, episodes) {
        fields.insert("episode".into(), Value::Array(episodes));
    }
    shaped
}

/// `getPodcasts` (`includeEpisodes` default true, `id` one channel):
/// `podcasts` `{channel: [...]}`; an unknown `id` is error 70.
pub async fn podcasts(call: &Call<'_>) -> Result<Answer, SubsonicError> {
    let with_episodes = call.params.get("includeEpisodes") != Some("false");
    let wanted = call.params.get("id").map(str::trim);
    let mut channels = Vec::new();
    for channel in feeds(call).await? {
        if wanted.is_some_and(|id| channel["id"].as_str() != Some(id)) {
            continue;
        }
        let episodes = if with_episodes {
            Some(episodes(call, &channel, EPISODES).await?)
        } else {
            None
        };
        channels.push(channel_shape(&channel, episodes));
    }
    if wanted.is_some() && channels.is_empty() {
        return Err(SubsonicError::not_found("podcast"));
    }
    Ok(data("podcasts", json!({ "channel": channels })))
}

/// `getNewestPodcasts` (`count` default 20, at most 500): the newest
/// episodes of every channel, newest first.
pub async fn newest(call: &Call<'_>) -> Result<Answer, SubsonicError> {
    let count = call.params.count("count", 20, 500);
    let mut all = Vec::new();
    for channel in feeds(call).await? {
        all.extend(episodes(call, &channel, count).await?);
    }
    // RFC 3339 times in UTC sort as text.
    all.sort_by(|a, b| b["publishDate"].as_str().cmp(&a["publishDate"].as_str()));
    all.truncate(count);
    Ok(data("newestPodcasts", json!({ "episode": all })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_episode_is_a_song_played_by_its_id() {
        let song = json!({ "id": "e1", "title": "Episode 1", "added_at": "2026-12-01T10:00:00Z" });
        let shaped = episode(&song, "c1");
        assert_eq!(shaped["streamId"], "e1");
        assert_eq!(shaped["channelId"], "c1");
        assert_eq!(shaped["status"], "completed");
        assert_eq!(shaped["publishDate"], "2026-12-01T10:00:00Z");
        let channel = channel_shape(
            &json!({ "id": "c1", "title": null, "image_url": "http://x/i.png" }),
            None,
        );
        assert_eq!(channel["title"], "Podcast");
        assert_eq!(channel["originalImageUrl"], "http://x/i.png");
        assert!(channel.get("episode").is_none());
    }
}
