use common::events::EventType;

use crate::helpers::{
    A, B, create_topics, dump, event, isolated_settings, produce_events, producer, redis, spawn_app,
    wait_caught_up,
};

#[tokio::test]
async fn a_rebuild_from_the_topic_equals_the_live_state() {
    let (settings, stats) = isolated_settings();
    create_topics(&settings).await;
    let producer = producer(&settings);
    let mut events = Vec::new();
    for n in 0..40 {
        let session = format!("r{}", n % 7);
        let song = if n % 3 == 0 { A } else { B };
        let kind = match n % 5 {
            0 => EventType::Connected,
            1 | 2 => EventType::Play,
            3 => EventType::Heartbeat,
            _ => EventType::Pause,
        };
        events.push(event(&session, kind, Some(song)));
    }
    events.push(event("r1", EventType::Disconnected, None));
    produce_events(&producer, &settings, &events).await;
    let app = spawn_app(&settings, &stats).await;
    let mut redis = redis(&settings).await;
    wait_caught_up(&settings, &mut redis).await;
    let live = dump(&settings, &mut redis).await;
    assert!(live.len() > 5, "the live state has keys: {live:?}");

    let report = stats_consumer::rebuild::rebuild(&settings, &stats)
        .await
        .expect("rebuilt");
    assert_eq!(report.events, events.len() as u64);
    let rebuilt = dump(&settings, &mut redis).await;
    assert_eq!(rebuilt, live);
    let leftovers = stats_consumer::rebuild::scan(&mut redis, &format!("{}rebuild:*", settings.redis.prefix))
        .await
        .expect("scan");
    assert!(leftovers.is_empty(), "the fresh keys were renamed: {leftovers:?}");
    app.stop().await;
}
