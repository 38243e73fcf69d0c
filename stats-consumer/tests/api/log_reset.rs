//! Redis remembers offsets past the end of the log (the topic was deleted
//! and created again, or the broker lost its data): the consumer must fold
//! the new log, not wait for it to grow past the old offsets.

use common::events::EventType;

use crate::helpers::{
    A, create_topics, event, isolated_settings, produce_events, producer, redis, song_plays, spawn_app,
    wait_caught_up,
};

#[tokio::test]
async fn offsets_past_the_end_of_a_new_log_are_moved_back() {
    let (settings, stats) = isolated_settings();
    create_topics(&settings).await;
    let mut redis = redis(&settings).await;
    let offsets = format!("{}consumer:offsets", settings.redis.prefix);
    for partition in 0..3 {
        let _: () = redis::cmd("HSET")
            .arg(&offsets)
            .arg(partition)
            .arg(1_000_000)
            .query_async(&mut redis)
            .await
            .expect("old offsets");
    }
    let producer = producer(&settings);
    let events: Vec<_> = (0..6)
        .map(|n| event(&format!("s{n}"), EventType::Play, Some(A)))
        .collect();
    produce_events(&producer, &settings, &events).await;

    let app = spawn_app(&settings, &stats).await;
    wait_caught_up(&settings, &mut redis).await;
    let plays = song_plays(&settings, &mut redis, A).await;
    assert_eq!(plays, 6, "every event of the new log is folded once");
    app.stop().await;
}
