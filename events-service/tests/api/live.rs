use std::time::Duration;

use serde_json::json;

use crate::helpers::{SONG, next_of_type, send_json, spawn_app};

/// Writes figures the way stats-consumer does and sends its change notice.
async fn write_figures(app: &crate::helpers::TestApp, plays: u64) {
    let client = redis::Client::open(app.settings.redis.url.as_str()).expect("client");
    let mut redis = client.get_multiplexed_async_connection().await.expect("redis");
    let prefix = &app.settings.redis.prefix;
    let now = chrono::Utc::now().timestamp_millis();
    let _: () = redis::pipe()
        .zadd(format!("{prefix}presence"), "someone", now)
        .zadd(format!("{prefix}song:{SONG}:listeners"), "someone", now)
        .set(format!("{prefix}song:{SONG}:plays"), plays)
        .publish(
            format!("{prefix}stats-changed"),
            json!({"songs": [SONG]}).to_string(),
        )
        .query_async(&mut redis)
        .await
        .expect("written");
}

#[tokio::test]
async fn figures_of_the_song_being_played_are_pushed_when_they_change() {
    let app = spawn_app().await;
    let mut socket = app.connect(&[]).await;
    next_of_type(&mut socket, "hello").await;
    send_json(&mut socket, json!({"type": "play", "song": SONG})).await;
    // Give the hub a tick to pick up the song before the change.
    tokio::time::sleep(Duration::from_millis(200)).await;
    write_figures(&app, 41).await;
    let stats = loop {
        let stats = next_of_type(&mut socket, "stats").await;
        if stats["plays"] == 41 {
            break stats;
        }
    };
    assert_eq!(stats["song"], SONG);
    assert_eq!(stats["listeners"], 1);
    assert!(stats["online"].as_u64().is_some_and(|online| online >= 1));
}
