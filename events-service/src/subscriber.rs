//! Listens to the consumer's change notices and to announcements on Redis
//! pub/sub, reconnecting whenever Redis goes away.

use std::{sync::Arc, time::Duration};

use common::{redis_conn::LazyRedis, stats_keys::StatsKeys};
use futures_util::StreamExt as _;
use serde::Deserialize;

use crate::{announcements::read_recent, hub::Hub, protocol::Announcement};

/// The change notice stats-consumer publishes after each batch.
#[derive(Debug, Deserialize)]
struct ChangeNotice {
    #[serde(default)]
    songs: Vec<String>,
}

/// Runs until aborted.
pub async fn run(redis: Arc<LazyRedis>, keys: StatsKeys, hub: Hub, kept: usize) {
    loop {
        if let Err(error) = listen(&redis, &keys, &hub, kept).await {
            tracing::debug!(%error, "pub/sub connection lost; reconnecting");
        }
        // Anything may have changed while we were away.
        hub.mark_changed(Vec::new());
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

async fn listen(redis: &LazyRedis, keys: &StatsKeys, hub: &Hub, kept: usize) -> redis::RedisResult<()> {
    let mut pubsub = redis.client().get_async_pubsub().await?;
    let changed = keys.stats_changed();
    let announcements = keys.announcements();
    pubsub.subscribe(&changed).await?;
    pubsub.subscribe(&announcements).await?;
    // Subscribed first, so nothing published from now on is missed.
    hub.set_recent(read_recent(redis, keys, kept).await?);
    let mut messages = pubsub.into_on_message();
    while let Some(message) = messages.next().await {
        let Ok(payload) = message.get_payload::<String>() else {
            continue;
        };
        if message.get_channel_name() == changed {
            let notice: ChangeNotice =
                serde_json::from_str(&payload).unwrap_or(ChangeNotice { songs: Vec::new() });
            hub.mark_changed(notice.songs);
        } else if let Ok(announcement) = serde_json::from_str::<Announcement>(&payload) {
            hub.announce(announcement);
        }
    }
    Ok(())
}
