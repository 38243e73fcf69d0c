//! `stats-consumer probe`: produces one record to a probe topic and fetches
//! it back. A broker can accept connections and answer metadata while its
//! storage fails every fetch (tansu restarted on a data folder damaged by a
//! kill); this round trip tells the two apart. `cargo xtask up` runs it
//! before starting the services.

use std::time::{Duration, Instant};

use anyhow::Context as _;
use common::{Settings, kafka::TopicSpec};
use rdkafka::{
    Message as _, Offset, TopicPartitionList,
    consumer::{BaseConsumer, Consumer as _},
    producer::{FutureProducer, FutureRecord},
};

/// The topic the probe writes to (one partition; its records are tiny).
pub const PROBE_TOPIC: &str = "tonearm.broker-probe";

/// Produces a record and fetches it back within `timeout`; returns how
/// long the round trip took.
pub async fn round_trip(settings: &Settings, timeout: Duration) -> anyhow::Result<Duration> {
    let started = Instant::now();
    let topic = TopicSpec {
        name: PROBE_TOPIC.to_owned(),
        partitions: 1,
    };
    tokio::time::timeout(timeout, common::kafka::ensure_topics(&settings.kafka, &[topic]))
        .await
        .context("creating the probe topic timed out")??;
    let producer: FutureProducer = common::kafka::client_config(&settings.kafka)
        .set("message.timeout.ms", timeout.as_millis().to_string())
        .create()
        .context("creating the probe producer")?;
    let payload = uuid::Uuid::new_v4().to_string();
    let delivery = producer
        .send(
            FutureRecord::<str, str>::to(PROBE_TOPIC)
                .partition(0)
                .payload(&payload),
            timeout,
        )
        .await
        .map_err(|(error, _)| error)
        .context("the broker did not store the probe record")?;
    let left = timeout.saturating_sub(started.elapsed());
    let kafka = settings.kafka.clone();
    tokio::task::spawn_blocking(move || fetch(&kafka, delivery.offset, &payload, left))
        .await
        .context("the probe's fetch did not finish")??;
    Ok(started.elapsed())
}

/// Reads partition 0 from `offset` until `payload` arrives.
fn fetch(
    kafka: &common::settings::KafkaSettings,
    offset: i64,
    payload: &str,
    timeout: Duration,
) -> anyhow::Result<()> {
    // A group id is needed to assign partitions; nothing is committed.
    let consumer: BaseConsumer = common::kafka::client_config(kafka)
        .set("group.id", "tonearm-broker-probe")
        .set("enable.auto.commit", "false")
        .create()
        .context("creating the probe consumer")?;
    let mut partitions = TopicPartitionList::new();
    partitions.add_partition_offset(PROBE_TOPIC, 0, Offset::Offset(offset))?;
    consumer.assign(&partitions)?;
    let deadline = Instant::now() + timeout;
    let mut last_error = None;
    while Instant::now() < deadline {
        match consumer.poll(Duration::from_millis(200)) {
            Some(Ok(message)) if message.payload() == Some(payload.as_bytes()) => return Ok(()),
            Some(Err(error)) => last_error = Some(error.to_string()),
            _ => {}
        }
    }
    anyhow::bail!(
        "the broker stored the probe record at offset {offset} but did not serve it back within {} s{}",
        timeout.as_secs(),
        last_error.map_or(String::new(), |error| format!(" (last error: {error})"))
    )
}
