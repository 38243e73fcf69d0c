use std::{
    collections::BTreeMap,
    time::{Duration, Instant},
};

use common::{
    Settings,
    events::{EventType, PlayerEvent},
};
use rdkafka::{
    ClientConfig,
    consumer::{BaseConsumer, Consumer as _},
    producer::{FutureProducer, FutureRecord},
};
use redis::aio::MultiplexedConnection;
use stats_consumer::{Application, settings::StatsSettings};

pub const A: &str = "0f8fad5b-d9cb-469f-a165-70867728950e";
pub const B: &str = "7c9e6679-7425-40de-944b-e07fc1f90ae7";

pub struct TestApp {
    pub address: String,
    pub handle: actix_web::dev::ServerHandle,
    pub task: tokio::task::JoinHandle<anyhow::Result<()>>,
}

impl TestApp {
    pub async fn stop(self) {
        self.handle.stop(true).await;
        let _ = self.task.await;
    }
}

/// Settings with their own topic, key prefix and consumer group.
pub fn isolated_settings() -> (Settings, StatsSettings) {
    let (settings, id) = common::test_support::isolated_settings();
    let mut stats = StatsSettings::load().expect("stats settings load");
    stats.group = format!("test-stats-{id}");
    stats.batch_wait = Duration::from_millis(5);
    (settings, stats)
}

pub async fn spawn_app(settings: &Settings, stats: &StatsSettings) -> TestApp {
    let app = Application::build_with(settings.clone(), stats.clone())
        .await
        .expect("the consumer builds");
    let address = format!("http://127.0.0.1:{}", app.port());
    let handle = app.handle();
    let task = tokio::spawn(app.run_until_stopped());
    TestApp {
        address,
        handle,
        task,
    }
}

/// Creates the topics now, so producers and the consumer agree at once.
pub async fn create_topics(settings: &Settings) {
    common::kafka::ensure_topics(&settings.kafka, &common::kafka::event_topics(&settings.kafka))
        .await
        .expect("topics created");
}

pub fn producer(settings: &Settings) -> FutureProducer {
    ClientConfig::new()
        .set("bootstrap.servers", &settings.kafka.brokers)
        .set("enable.idempotence", "true")
        .set("linger.ms", "2")
        .create()
        .expect("producer")
}

pub fn event(session: &str, kind: EventType, song: Option<&str>) -> PlayerEvent {
    PlayerEvent::new(session, None, kind, "test").at(song.map(str::to_owned), Some(0))
}

pub async fn produce(producer: &FutureProducer, settings: &Settings, key: &str, payload: &[u8]) {
    producer
        .send(
            FutureRecord::to(&settings.kafka.events_topic)
                .key(key)
                .payload(payload),
            Duration::from_secs(10),
        )
        .await
        .expect("produced");
}

pub async fn produce_events(producer: &FutureProducer, settings: &Settings, events: &[PlayerEvent]) {
    for event in events {
        produce(producer, settings, &event.session, &event.encode()).await;
    }
}

pub async fn redis(settings: &Settings) -> MultiplexedConnection {
    redis::Client::open(settings.redis.url.as_str())
        .expect("client")
        .get_multiplexed_async_connection()
        .await
        .expect("redis")
}

/// The plays folded for `song`.
pub async fn song_plays(settings: &Settings, redis: &mut MultiplexedConnection, song: &str) -> u64 {
    redis::cmd("GET")
        .arg(format!("{}song:{song}:plays", settings.redis.prefix))
        .query_async(redis)
        .await
        .expect("the song's plays")
}

/// The high watermark of each partition of the events topic.
pub async fn high_watermarks(settings: &Settings) -> BTreeMap<i32, i64> {
    let settings = settings.clone();
    tokio::task::spawn_blocking(move || {
        let consumer: BaseConsumer = ClientConfig::new()
            .set("bootstrap.servers", &settings.kafka.brokers)
            .create()
            .expect("consumer");
        (0..3)
            .map(|partition| {
                let (_, high) = consumer
                    .fetch_watermarks(&settings.kafka.events_topic, partition, Duration::from_secs(10))
                    .expect("watermarks");
                (partition, high)
            })
            .filter(|(_, high)| *high > 0)
            .collect()
    })
    .await
    .expect("watermarks read")
}

/// Waits until the stored offsets cover everything in the topic.
pub async fn wait_caught_up(settings: &Settings, redis: &mut MultiplexedConnection) {
    let goal = high_watermarks(settings).await;
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let stored: BTreeMap<i32, i64> = redis::cmd("HGETALL")
            .arg(format!("{}consumer:offsets", settings.redis.prefix))
            .query_async(redis)
            .await
            .expect("offsets");
        if goal
            .iter()
            .all(|(partition, high)| stored.get(partition) == Some(high))
        {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "not caught up: stored {stored:?}, topic {goal:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Every fold key with a comparable rendering of its value.
pub async fn dump(settings: &Settings, redis: &mut MultiplexedConnection) -> BTreeMap<String, String> {
    let prefix = &settings.redis.prefix;
    let mut out = BTreeMap::new();
    for pattern in stats_consumer::rebuild::FOLD_PATTERNS {
        let keys = stats_consumer::rebuild::scan(redis, &format!("{prefix}{pattern}"))
            .await
            .expect("scan");
        for key in keys {
            let kind: String = redis::cmd("TYPE")
                .arg(&key)
                .query_async(redis)
                .await
                .expect("type");
            let value = match kind.as_str() {
                "string" if key[prefix.len()..].starts_with("uniq:") => {
                    let count: u64 = redis::cmd("PFCOUNT")
                        .arg(&key)
                        .query_async(redis)
                        .await
                        .expect("pfcount");
                    format!("hll {count}")
                }
                "string" => {
                    let value: String = redis::cmd("GET").arg(&key).query_async(redis).await.expect("get");
                    value
                }
                "zset" => {
                    let members: Vec<(String, String)> = redis::cmd("ZRANGE")
                        .arg(&key)
                        .arg(0)
                        .arg(-1)
                        .arg("WITHSCORES")
                        .query_async(redis)
                        .await
                        .expect("zrange");
                    format!("{members:?}")
                }
                "hash" => {
                    let fields: BTreeMap<String, String> = redis::cmd("HGETALL")
                        .arg(&key)
                        .query_async(redis)
                        .await
                        .expect("hgetall");
                    format!("{fields:?}")
                }
                other => format!("type {other}"),
            };
            out.insert(
                key.strip_prefix(prefix.as_str()).unwrap_or(&key).to_owned(),
                value,
            );
        }
    }
    out
}
