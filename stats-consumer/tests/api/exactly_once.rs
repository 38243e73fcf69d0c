use std::{
    collections::BTreeMap,
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use common::events::{EventType, PlayerEvent};

use crate::helpers::{
    A, B, create_topics, event, isolated_settings, produce_events, producer, redis, song_plays, spawn_app,
    wait_caught_up,
};

/// A small deterministic generator, seeded from the clock (the seed is
/// printed so a failure can be replayed).
struct XorShift(u64);

impl XorShift {
    fn next(&mut self, below: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % below
    }
}

fn workload(count: usize, rng: &mut XorShift) -> Vec<PlayerEvent> {
    let songs = [A, B, "3f2504e0-4f89-41d3-9a0c-0305e82c3301"];
    (0..count)
        .map(|_| {
            let session = format!("x{}", rng.next(25));
            let song = songs[rng.next(3) as usize];
            let kind = match rng.next(4) {
                0 | 1 => EventType::Play,
                2 => EventType::Heartbeat,
                _ => EventType::Pause,
            };
            event(&session, kind, Some(song))
        })
        .collect()
}

/// The counters of a clean fold, computed directly from the events.
fn expected_plays(events: &[PlayerEvent]) -> BTreeMap<String, u64> {
    let mut plays = BTreeMap::new();
    for event in events.iter().filter(|event| event.kind == EventType::Play) {
        *plays.entry(event.song.clone().unwrap_or_default()).or_insert(0) += 1;
    }
    plays
}

#[tokio::test]
async fn killing_the_consumer_at_random_points_never_loses_or_doubles_an_event() {
    let seed = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock")
        .as_nanos() as u64
        | 1;
    println!("seed {seed}");
    let mut rng = XorShift(seed);
    let (settings, mut stats) = isolated_settings();
    // Every restart finds Kafka's group offsets where a crash would leave
    // them at worst (never committed): only Redis knows what was applied.
    stats.kafka_commit = false;
    create_topics(&settings).await;
    let events = workload(3000, &mut rng);
    let producing = {
        let settings = settings.clone();
        let events = events.clone();
        tokio::spawn(async move {
            let producer = producer(&settings);
            // Spread over the restarts below, so kills land while events flow.
            for chunk in events.chunks(50) {
                produce_events(&producer, &settings, chunk).await;
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        })
    };
    let mut redis = redis(&settings).await;
    for _ in 0..15 {
        let app = spawn_app(&settings, &stats).await;
        tokio::time::sleep(Duration::from_millis(200 + rng.next(600))).await;
        // A hard stop: the task is dropped wherever it is (polling,
        // applying, committing), like a killed process.
        app.task.abort();
        let _ = app.task.await;
        app.handle.stop(false).await;
    }
    producing.await.expect("all produced");
    let app = spawn_app(&settings, &stats).await;
    wait_caught_up(&settings, &mut redis).await;

    let p = &settings.redis.prefix;
    for (song, plays) in expected_plays(&events) {
        let counted = song_plays(&settings, &mut redis, &song).await;
        assert_eq!(counted, plays, "plays of {song} (seed {seed})");
    }
    let total: u64 = redis::cmd("GET")
        .arg(format!("{p}plays:total"))
        .query_async(&mut redis)
        .await
        .expect("total");
    let expected_total = events
        .iter()
        .filter(|event| event.kind == EventType::Play)
        .count() as u64;
    assert_eq!(total, expected_total, "seed {seed}");
    let trending: Vec<String> = redis::cmd("KEYS")
        .arg(format!("{p}trending:*"))
        .query_async(&mut redis)
        .await
        .expect("keys");
    let mut trending_total = 0.0;
    for key in trending {
        let scores: Vec<(String, f64)> = redis::cmd("ZRANGE")
            .arg(&key)
            .arg(0)
            .arg(-1)
            .arg("WITHSCORES")
            .query_async(&mut redis)
            .await
            .expect("zrange");
        trending_total += scores.iter().map(|(_, score)| score).sum::<f64>();
    }
    assert_eq!(
        trending_total as u64, expected_total,
        "trending windows (seed {seed})"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_replayed_or_overlapping_batch_is_applied_once() {
    let (settings, _) = isolated_settings();
    let mut redis = redis(&settings).await;
    let target = stats_consumer::fold::FoldTarget {
        keys: common::stats_keys::StatsKeys::new(settings.redis.prefix.clone()),
        session_ttl_secs: 60,
        trending_ttl_secs: 60,
        ranked_songs: 100,
        notify: false,
    };
    let folder = stats_consumer::fold::Folder::default();
    let batch = |from: i64, to: i64| -> Vec<stats_consumer::fold::Positioned> {
        (from..to)
            .map(|offset| stats_consumer::fold::Positioned {
                offset,
                event: event("o1", EventType::Play, Some(A)),
            })
            .collect()
    };
    folder
        .apply(&mut redis, &target, 0, 10, &batch(0, 10))
        .await
        .expect("first");
    let again = folder
        .apply(&mut redis, &target, 0, 10, &batch(0, 10))
        .await
        .expect("again");
    assert_eq!(again.applied, 0, "a replayed batch changes nothing");
    let overlap = folder
        .apply(&mut redis, &target, 0, 15, &batch(5, 15))
        .await
        .expect("overlap");
    assert_eq!(overlap.applied, 5, "only offsets 10..15 are new");
    let plays = song_plays(&settings, &mut redis, A).await;
    assert_eq!(plays, 15);
    let ranked: f64 = redis::cmd("ZSCORE")
        .arg(format!("{}songs:most-played", settings.redis.prefix))
        .arg(A)
        .query_async(&mut redis)
        .await
        .expect("ranked plays");
    assert_eq!(ranked, 15.0, "the most played set counts each play once");
}
