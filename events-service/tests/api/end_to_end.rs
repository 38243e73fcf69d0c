use serde_json::json;

use crate::helpers::{SONG, isolated_settings, next_of_type, send_json, spawn_app_with};

/// The whole path: sockets -> events-service -> Kafka -> stats-consumer ->
/// Redis -> change notice -> pushed figures.
#[tokio::test]
async fn plays_on_one_socket_reach_the_figures_of_another() {
    let (settings, events) = isolated_settings();
    let mut stats = stats_consumer::settings::StatsSettings::load().expect("stats settings");
    stats.group = format!("test-e2e-{}", uuid::Uuid::new_v4().simple());
    let mut consumer_settings = settings.clone();
    consumer_settings.ports.stats = 0;
    let consumer = stats_consumer::Application::build_with(consumer_settings, stats)
        .await
        .expect("consumer builds");
    let consumer_handle = consumer.handle();
    let consumer_task = tokio::spawn(consumer.run_until_stopped());
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
    consumer_handle.stop(true).await;
    consumer_task
        .await
        .expect("joined")
        .expect("the consumer stops cleanly");
}
