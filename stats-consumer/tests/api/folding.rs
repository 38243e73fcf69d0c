use std::{collections::BTreeMap, time::Duration};

use common::events::{EventType, PlayerEvent};
use futures_util::StreamExt as _;
use rdkafka::{
    ClientConfig, Message as _, Offset, TopicPartitionList,
    consumer::{BaseConsumer, Consumer as _},
    message::Headers as _,
};

use crate::helpers::{
    A, B, create_topics, event, isolated_settings, produce, produce_events, producer, redis, song_plays,
    spawn_app, wait_caught_up,
};

fn with_user(mut event: PlayerEvent, user: &str) -> PlayerEvent {
    event.user = Some(user.to_owned());
    event
}

#[tokio::test]
async fn events_fold_into_the_documented_keys() {
    let (settings, stats) = isolated_settings();
    create_topics(&settings).await;
    let producer = producer(&settings);
    let events = vec![
        event("s1", EventType::Connected, None),
        event("s1", EventType::Play, Some(A)),
        event("s2", EventType::Connected, None),
        event("s2", EventType::Play, Some(A)),
        event("s2", EventType::Play, Some(B)),
        event("s1", EventType::Pause, Some(A)),
        with_user(event("s3", EventType::Play, Some(B)), "u1"),
        with_user(event("s4", EventType::Play, Some(B)), "u1"),
        event("s4", EventType::Heartbeat, None),
        event("s2", EventType::Disconnected, None),
    ];
    produce_events(&producer, &settings, &events).await;
    let app = spawn_app(&settings, &stats).await;
    let mut redis = redis(&settings).await;
    wait_caught_up(&settings, &mut redis).await;

    let p = &settings.redis.prefix;
    let get = |key: String| {
        let mut command = redis::cmd("GET");
        command.arg(key);
        command
    };
    let plays_a: u64 = get(format!("{p}song:{A}:plays"))
        .query_async(&mut redis)
        .await
        .expect("a");
    let plays_b: u64 = get(format!("{p}song:{B}:plays"))
        .query_async(&mut redis)
        .await
        .expect("b");
    let total: u64 = get(format!("{p}plays:total"))
        .query_async(&mut redis)
        .await
        .expect("total");
    assert_eq!((plays_a, plays_b, total), (2, 3, 5));

    let members = |key: String| {
        let mut command = redis::cmd("ZRANGE");
        command.arg(key).arg(0).arg(-1);
        command
    };
    let mut presence: Vec<String> = members(format!("{p}presence"))
        .query_async(&mut redis)
        .await
        .expect("p");
    presence.sort();
    assert_eq!(presence, ["s1", "s3", "s4"], "s2 disconnected");
    let listeners_a: Vec<String> = members(format!("{p}song:{A}:listeners"))
        .query_async(&mut redis)
        .await
        .expect("la");
    assert!(
        listeners_a.is_empty(),
        "s1 paused and s2 moved on: {listeners_a:?}"
    );
    let mut listeners_b: Vec<String> = members(format!("{p}song:{B}:listeners"))
        .query_async(&mut redis)
        .await
        .expect("lb");
    listeners_b.sort();
    assert_eq!(listeners_b, ["s3", "s4"]);

    let minute = events[1].ts.format("%Y%m%d%H%M").to_string();
    let trending: Vec<(String, u64)> = redis::cmd("ZRANGE")
        .arg(format!("{p}trending:{minute}"))
        .arg(0)
        .arg(-1)
        .arg("WITHSCORES")
        .query_async(&mut redis)
        .await
        .expect("trending");
    let trending: u64 = trending.iter().map(|(_, plays)| plays).sum();
    assert!(trending >= 1, "this minute's window counts plays");
    let ttl: i64 = redis::cmd("TTL")
        .arg(format!("{p}trending:{minute}"))
        .query_async(&mut redis)
        .await
        .expect("ttl");
    assert!(ttl > 0, "trending windows expire");

    let day = events[1].ts.format("%Y%m%d").to_string();
    let unique: u64 = redis::cmd("PFCOUNT")
        .arg(format!("{p}uniq:{day}"))
        .query_async(&mut redis)
        .await
        .expect("hll");
    assert_eq!(unique, 3, "s1, s2 and user u1 (two sessions)");

    let s1: BTreeMap<String, String> = redis::cmd("HGETALL")
        .arg(format!("{p}session:s1"))
        .query_async(&mut redis)
        .await
        .expect("s1");
    assert_eq!(s1.get("state").map(String::as_str), Some("paused"));
    assert_eq!(s1.get("song").map(String::as_str), Some(A));
    let s2: u64 = redis::cmd("EXISTS")
        .arg(format!("{p}session:s2"))
        .query_async(&mut redis)
        .await
        .expect("s2");
    assert_eq!(s2, 0, "a disconnected session's state is dropped");
    app.stop().await;
}

#[tokio::test]
async fn poison_records_go_to_the_dead_letter_topic_and_the_partition_moves_on() {
    let (settings, stats) = isolated_settings();
    create_topics(&settings).await;
    let producer = producer(&settings);
    produce(&producer, &settings, "same", b"{definitely not json").await;
    let mut v3 = serde_json::to_value(event("same", EventType::Play, Some(A))).expect("json");
    v3["v"] = 3.into();
    produce(&producer, &settings, "same", v3.to_string().as_bytes()).await;
    produce_events(&producer, &settings, &[event("same", EventType::Play, Some(A))]).await;
    let app = spawn_app(&settings, &stats).await;
    let mut redis = redis(&settings).await;
    wait_caught_up(&settings, &mut redis).await;
    let plays = song_plays(&settings, &mut redis, A).await;
    assert_eq!(plays, 1, "the valid event after the poison ones counts");

    let dlq = settings.kafka.dlq_topic();
    let brokers = settings.kafka.brokers.clone();
    let reasons = tokio::task::spawn_blocking(move || {
        let consumer: BaseConsumer = ClientConfig::new()
            .set("bootstrap.servers", &brokers)
            .set("group.id", "dlq-reader")
            .create()
            .expect("consumer");
        let mut partitions = TopicPartitionList::new();
        partitions
            .add_partition_offset(&dlq, 0, Offset::Beginning)
            .expect("partition");
        consumer.assign(&partitions).expect("assign");
        let mut reasons = Vec::new();
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        while reasons.len() < 2 && std::time::Instant::now() < deadline {
            if let Some(Ok(message)) = consumer.poll(Duration::from_millis(200)) {
                let headers = message.headers().expect("headers");
                let reason = headers
                    .iter()
                    .find(|header| header.key == "x-tonearm-dlq-reason")
                    .and_then(|header| header.value)
                    .map(|value| String::from_utf8_lossy(value).into_owned());
                reasons.push((reason, message.key().map(<[u8]>::to_vec)));
            }
        }
        reasons
    })
    .await
    .expect("dlq read");
    assert_eq!(
        reasons,
        vec![
            (Some("unparsable".into()), Some(b"same".to_vec())),
            (Some("unknown_version".into()), Some(b"same".to_vec())),
        ]
    );
    app.stop().await;
}

#[tokio::test]
async fn each_batch_announces_the_songs_it_changed() {
    let (settings, stats) = isolated_settings();
    create_topics(&settings).await;
    let client = redis::Client::open(settings.redis.url.as_str()).expect("client");
    let mut pubsub = client.get_async_pubsub().await.expect("pubsub");
    pubsub
        .subscribe(format!("{}stats-changed", settings.redis.prefix))
        .await
        .expect("subscribed");
    let app = spawn_app(&settings, &stats).await;
    produce_events(
        &producer(&settings),
        &settings,
        &[event("s9", EventType::Play, Some(B))],
    )
    .await;
    let mut messages = pubsub.on_message();
    let notice = tokio::time::timeout(Duration::from_secs(30), messages.next())
        .await
        .expect("a notice within 30 s")
        .expect("a message");
    let notice: serde_json::Value =
        serde_json::from_str(&notice.get_payload::<String>().expect("text")).expect("json");
    assert_eq!(notice["songs"], serde_json::json!([B]), "{notice}");
    drop(messages);
    app.stop().await;
}

#[tokio::test]
async fn sessions_without_heartbeats_leave_the_online_and_listener_sets() {
    let (settings, mut stats) = isolated_settings();
    stats.sweep_interval = Duration::from_millis(100);
    create_topics(&settings).await;
    let mut gone = event("gone", EventType::Play, Some(A));
    gone.ts -= chrono::Duration::seconds(120);
    let fresh = event("fresh", EventType::Play, Some(A));
    produce_events(&producer(&settings), &settings, &[gone, fresh]).await;
    let app = spawn_app(&settings, &stats).await;
    let mut redis = redis(&settings).await;
    wait_caught_up(&settings, &mut redis).await;
    let p = &settings.redis.prefix;
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let presence: Vec<String> = redis::cmd("ZRANGE")
            .arg(format!("{p}presence"))
            .arg(0)
            .arg(-1)
            .query_async(&mut redis)
            .await
            .expect("presence");
        let listeners: Vec<String> = redis::cmd("ZRANGE")
            .arg(format!("{p}song:{A}:listeners"))
            .arg(0)
            .arg(-1)
            .query_async(&mut redis)
            .await
            .expect("listeners");
        if presence == ["fresh"] && listeners == ["fresh"] {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "not expired: {presence:?} {listeners:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    app.stop().await;
}

#[tokio::test]
async fn a_first_start_folds_events_of_the_topic_it_created_after_subscribing() {
    // No topic yet: the consumer subscribes at once and the topic comes
    // into being afterwards, as on a new installation.
    let (settings, stats) = isolated_settings();
    let app = spawn_app(&settings, &stats).await;
    create_topics(&settings).await;
    let producer = producer(&settings);
    produce_events(&producer, &settings, &[event("s1", EventType::Play, Some(A))]).await;
    let mut redis = redis(&settings).await;
    wait_caught_up(&settings, &mut redis).await;

    let plays = song_plays(&settings, &mut redis, A).await;
    assert_eq!(plays, 1, "the play on the new topic was folded");
    app.stop().await;
}
