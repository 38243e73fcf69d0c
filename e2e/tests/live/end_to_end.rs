use serde_json::json;

use crate::consumer::{own_group, spawn_consumer};
use crate::helpers::{SONG, isolated_settings, next_of_type, send_json, spawn_app_with};

/// The whole path: sockets -> events-service -> Kafka -> stats-consumer ->
/// Redis -> change notice -> pushed figures.
#[tokio::test]
async fn plays_on_one_socket_reach_the_figures_of_another() {
    let (settings, events) = isolated_settings();
    let consumer = spawn_consumer(&settings, &own_group("e2e"), |_| {}).await;
    let app = spawn_app_with(settings, events).await;

    let mut first = app.connect(&[("x-tonearm-session", "e2e-1")]).await;
    next_of_type(&mut first, "hello").await;
    send_json(&mut first, json!({"type": "play", "song": SONG})).await;
    let mut second = app.connect(&[("x-tonearm-session", "e2e-2")]).await;
    next_of_type(&mut second, "hello").await;
    send_json(&mut second, json!({"type": "play", "song": SONG})).await;

    let stats = loop {
        let stats = next_of_type(&mut first, "stats").await;
        if stats["plays"] == 2 && stats["listeners"] == 2 {
            break stats;
        }
    };
    assert_eq!(stats["song"], SONG);
    assert!(
        stats["online"].as_u64().is_some_and(|online| online >= 2),
        "{stats}"
    );

    send_json(&mut second, json!({"type": "pause", "position_ms": 5})).await;
    loop {
        let stats = next_of_type(&mut first, "stats").await;
        if stats["listeners"] == 1 {
            assert_eq!(stats["plays"], 2, "pausing is not a play");
            break;
        }
    }
    app.stop().await;
    consumer.stop().await.expect("the consumer stops cleanly");
}
