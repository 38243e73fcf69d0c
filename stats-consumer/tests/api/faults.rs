//! The live figures keep up through a broker that is SIGKILLed and
//! restarted, and through a group member that dies: within 15 s of the last
//! event every counter equals a clean fold, with no consumer started to
//! rescue the survivor.

use std::{
    collections::BTreeMap,
    time::{Duration, Instant},
};

use common::{
    Settings,
    events::{EventType, PlayerEvent},
    test_support::broker::PrivateBroker,
};
use rdkafka::{
    ClientConfig,
    consumer::{BaseConsumer, Consumer as _},
    producer::{FutureProducer, FutureRecord},
};
use redis::aio::MultiplexedConnection;

use crate::{
    consumer_process::ConsumerProcess,
    helpers::{A, B, create_topics, dump, event, isolated_settings, redis, spawn_app},
};

/// Within this long after the last event, the figures must be complete.
const CATCH_UP: Duration = Duration::from_secs(15);

/// A producer that never gives an event up while the broker is away.
fn patient_producer(settings: &Settings) -> FutureProducer {
    ClientConfig::new()
        .set("bootstrap.servers", &settings.kafka.brokers)
        .set("enable.idempotence", "true")
        .set("message.timeout.ms", "0")
        .set("linger.ms", "5")
        .set("reconnect.backoff.max.ms", "500")
        .create()
        .expect("producer")
}

/// Plays and pauses of twelve sessions, four on each partition.
fn workload(count: usize) -> Vec<(i32, PlayerEvent)> {
    let songs = [A, B, "3f2504e0-4f89-41d3-9a0c-0305e82c3301"];
    (0..count)
        .map(|n| {
            let session = n % 12;
            let kind = if n % 4 == 3 {
                EventType::Pause
            } else {
                EventType::Play
            };
            let song = songs[(n / 12) % songs.len()];
            (
                (session % 3) as i32,
                event(&format!("f{session}"), kind, Some(song)),
            )
        })
        .collect()
}

/// Sends `events` at `per_second`, calling `at(elapsed)` between sends (the
/// faults happen there); returns once the broker has acknowledged all.
async fn produce_paced(
    settings: &Settings,
    events: &[(i32, PlayerEvent)],
    per_second: u32,
    mut at: impl FnMut(Duration),
) {
    let producer = patient_producer(settings);
    let started = Instant::now();
    let mut deliveries = Vec::new();
    for (n, (partition, event)) in events.iter().enumerate() {
        let due = started + Duration::from_secs_f64(n as f64 / f64::from(per_second));
        tokio::time::sleep_until(due.into()).await;
        at(started.elapsed());
        let payload = event.encode();
        let record = FutureRecord::to(&settings.kafka.events_topic)
            .partition(*partition)
            .key(&event.session)
            .payload(&payload);
        deliveries.push(
            producer
                .send_result(record)
                .map_err(|(error, _)| error)
                .expect("queued"),
        );
    }
    for delivery in deliveries {
        delivery.await.expect("delivered").expect("acknowledged");
    }
}

/// Events the broker holds but the fold has not covered, when it answers.
async fn lag(settings: &Settings, redis: &mut MultiplexedConnection) -> Option<i64> {
    let settings = settings.clone();
    let ends = tokio::task::spawn_blocking(move || {
        let consumer: BaseConsumer = ClientConfig::new()
            .set("bootstrap.servers", &settings.kafka.brokers)
            .create()
            .ok()?;
        (0..3)
            .map(|partition| {
                consumer
                    .fetch_watermarks(&settings.kafka.events_topic, partition, Duration::from_secs(2))
                    .ok()
                    .map(|(_, high)| (partition, high))
            })
            .collect::<Option<BTreeMap<i32, i64>>>()
    })
    .await
    .ok()??;
    let stored: BTreeMap<i32, i64> = redis::cmd("HGETALL")
        .arg(format!("{}consumer:offsets", settings.redis.prefix))
        .query_async(redis)
        .await
        .ok()?;
    Some(
        ends.iter()
            .map(|(partition, end)| end - stored.get(partition).copied().unwrap_or(0))
            .sum(),
    )
}

/// Prints the lag every half second until dropped (the figures of a run).
fn watch_lag(settings: &Settings, started: Instant) -> tokio::task::JoinHandle<()> {
    let settings = settings.clone();
    tokio::spawn(async move {
        let mut redis = redis(&settings).await;
        loop {
            let lag = lag(&settings, &mut redis).await;
            println!(
                "t={:5.1}s lag={}",
                started.elapsed().as_secs_f64(),
                lag.map_or("(broker away)".into(), |lag| lag.to_string())
            );
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    })
}

/// Waits until the fold covers the whole log, at most until `deadline`.
async fn wait_folded(settings: &Settings, redis: &mut MultiplexedConnection, deadline: Instant) -> Duration {
    let from = Instant::now();
    loop {
        let behind = lag(settings, redis).await;
        if behind == Some(0) {
            return from.elapsed();
        }
        assert!(
            Instant::now() < deadline,
            "the figures are still {behind:?} events behind the log"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The plays counters a clean fold of `events` gives.
fn expected_plays(events: &[(i32, PlayerEvent)]) -> BTreeMap<String, String> {
    let mut plays: BTreeMap<String, u64> = BTreeMap::new();
    for (_, event) in events.iter().filter(|(_, event)| event.kind == EventType::Play) {
        *plays
            .entry(format!("song:{}:plays", event.song.clone().unwrap_or_default()))
            .or_default() += 1;
        *plays.entry("plays:total".into()).or_default() += 1;
    }
    plays.into_iter().map(|(key, n)| (key, n.to_string())).collect()
}

/// The ids of the events in the topic, by partition, in log order.
async fn topic_ids(settings: &Settings) -> BTreeMap<i32, Vec<uuid::Uuid>> {
    let settings = settings.clone();
    tokio::task::spawn_blocking(move || {
        let consumer: BaseConsumer = ClientConfig::new()
            .set("bootstrap.servers", &settings.kafka.brokers)
            .set("group.id", "faults-reader")
            .create()
            .expect("consumer");
        let mut read = BTreeMap::<i32, Vec<uuid::Uuid>>::new();
        for partition in 0..3 {
            let (low, high) = consumer
                .fetch_watermarks(&settings.kafka.events_topic, partition, Duration::from_secs(10))
                .expect("watermarks");
            let mut partitions = rdkafka::TopicPartitionList::new();
            partitions
                .add_partition_offset(
                    &settings.kafka.events_topic,
                    partition,
                    rdkafka::Offset::Offset(low),
                )
                .expect("partition");
            consumer.assign(&partitions).expect("assign");
            let ids = read.entry(partition).or_default();
            let deadline = Instant::now() + Duration::from_secs(20);
            while (ids.len() as i64) < high - low && Instant::now() < deadline {
                if let Some(Ok(message)) = consumer.poll(Duration::from_millis(200)) {
                    use rdkafka::Message as _;
                    let event = PlayerEvent::decode(message.payload().unwrap_or_default()).expect("an event");
                    ids.push(event.id);
                }
            }
        }
        read
    })
    .await
    .expect("topic read")
}

/// Every counter equals a clean fold: the plays computed from the events
/// (once the topic is shown to hold each of them once), and every fold key
/// equal to a rebuild from the topic.
async fn assert_clean_fold(settings: &Settings, events: &[(i32, PlayerEvent)]) {
    let (_, stats) = isolated_settings();
    let mut in_topic: Vec<uuid::Uuid> = topic_ids(settings).await.into_values().flatten().collect();
    let mut sent: Vec<uuid::Uuid> = events.iter().map(|(_, event)| event.id).collect();
    in_topic.sort_unstable();
    sent.sort_unstable();
    assert!(
        in_topic == sent,
        "the broker kept {} records for {} acknowledged events",
        in_topic.len(),
        sent.len()
    );
    let mut redis = redis(settings).await;
    let live = dump(settings, &mut redis).await;
    let plays: BTreeMap<String, String> = live
        .iter()
        .filter(|(key, _)| key.ends_with(":plays") || *key == "plays:total")
        .map(|(key, value)| (key.clone(), value.clone()))
        .collect();
    assert_eq!(plays, expected_plays(events), "plays counted once each");
    stats_consumer::rebuild::rebuild(settings, &stats)
        .await
        .expect("rebuilt");
    assert_eq!(
        dump(settings, &mut redis).await,
        live,
        "live state equals a clean fold"
    );
}

#[tokio::test]
async fn the_figures_catch_up_after_a_broker_restart_and_a_crashed_group_member() {
    let mut broker = PrivateBroker::start();
    let (mut settings, stats) = isolated_settings();
    settings.kafka.brokers = broker.brokers();
    create_topics(&settings).await;
    let started = Instant::now();
    let survivor = spawn_app(&settings, &stats).await;
    let mut second = ConsumerProcess::start(&settings, &stats, &broker.dir.join("second-consumer.log"));
    let watcher = watch_lag(&settings, started);

    // 25 s of plays; the broker is SIGKILLed at 6 s and back at 10 s; the
    // second member is SIGKILLed at 14 s, so the group rebalances while
    // events still flow.
    let events = workload(1000);
    let (mut broker_killed, mut broker_back, mut member_killed) = (false, false, false);
    produce_paced(&settings, &events, 40, |elapsed| {
        if !broker_killed && elapsed >= Duration::from_secs(6) {
            println!("t={:5.1}s broker SIGKILLed", started.elapsed().as_secs_f64());
            broker.kill();
            broker_killed = true;
        }
        if !broker_back && elapsed >= Duration::from_secs(10) {
            broker.resume();
            println!("t={:5.1}s broker restarted", started.elapsed().as_secs_f64());
            broker_back = true;
        }
        if !member_killed && elapsed >= Duration::from_secs(14) {
            second.kill();
            println!(
                "t={:5.1}s second consumer SIGKILLed",
                started.elapsed().as_secs_f64()
            );
            member_killed = true;
        }
    })
    .await;
    let last = Instant::now();
    println!(
        "t={:5.1}s last event acknowledged",
        started.elapsed().as_secs_f64()
    );

    let mut redis = redis(&settings).await;
    let took = wait_folded(&settings, &mut redis, last + CATCH_UP).await;
    println!("caught up {:.1} s after the last event", took.as_secs_f64());
    watcher.abort();
    assert_clean_fold(&settings, &events).await;
    survivor.stop().await;
}

#[tokio::test]
async fn the_consumer_folds_new_events_after_a_broker_restart_at_rest() {
    let mut broker = PrivateBroker::start();
    let (mut settings, stats) = isolated_settings();
    settings.kafka.brokers = broker.brokers();
    create_topics(&settings).await;
    let app = spawn_app(&settings, &stats).await;
    let events = workload(60);
    let (before, after) = events.split_at(30);
    produce_paced(&settings, before, 100, |_| {}).await;
    let mut redis = redis(&settings).await;
    wait_folded(&settings, &mut redis, Instant::now() + Duration::from_secs(30)).await;

    // Down for longer than the group session, so the broker must expire
    // the member it knew.
    broker.kill();
    tokio::time::sleep(Duration::from_secs(12)).await;
    broker.resume();
    // At rest: nothing happens for a while after the broker is back.
    tokio::time::sleep(Duration::from_secs(5)).await;
    produce_paced(&settings, after, 100, |_| {}).await;
    let took = wait_folded(&settings, &mut redis, Instant::now() + CATCH_UP).await;
    println!(
        "folded the new events {:.1} s after they were acknowledged",
        took.as_secs_f64()
    );
    assert_clean_fold(&settings, &events).await;
    app.stop().await;
}
