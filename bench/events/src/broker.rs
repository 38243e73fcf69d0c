//! The broker's own ceiling: a bare rdkafka producer and consumer, and a
//! bare consumer reading a pre-filled topic.

use std::time::{Duration, Instant};

use anyhow::Context as _;
use rdkafka::{
    ClientConfig, Message as _, Offset, TopicPartitionList,
    admin::{AdminClient, AdminOptions, NewTopic, TopicReplication},
    client::DefaultClientContext,
    consumer::{BaseConsumer, Consumer as _},
    producer::{BaseProducer, BaseRecord, Producer as _},
};

fn config(brokers: &str) -> ClientConfig {
    let mut config = ClientConfig::new();
    config.set("bootstrap.servers", brokers);
    config
}

pub async fn create_topic(brokers: &str, topic: &str) -> anyhow::Result<()> {
    let admin: AdminClient<DefaultClientContext> = config(brokers).create()?;
    admin
        .create_topics(
            &[NewTopic::new(topic, 3, TopicReplication::Fixed(1))],
            &AdminOptions::new().operation_timeout(Some(Duration::from_secs(10))),
        )
        .await?;
    Ok(())
}

/// Reads `count` records of `topic` from the beginning; returns the time.
pub fn consume(brokers: &str, topic: &str, count: u64) -> anyhow::Result<Duration> {
    let consumer: BaseConsumer = config(brokers)
        .set(
            "group.id",
            format!("bench-bare-{}", uuid::Uuid::new_v4().simple()),
        )
        .set("enable.auto.commit", "false")
        .create()?;
    let mut partitions = TopicPartitionList::new();
    for partition in 0..3 {
        partitions.add_partition_offset(topic, partition, Offset::Beginning)?;
    }
    consumer.assign(&partitions)?;
    let started = Instant::now();
    let mut seen = 0;
    while seen < count {
        if let Some(message) = consumer.poll(Duration::from_millis(100)) {
            let message = message?;
            std::hint::black_box(message.payload());
            seen += 1;
        }
        anyhow::ensure!(
            started.elapsed() < Duration::from_secs(300),
            "bare consumer timed out at {seen}"
        );
    }
    Ok(started.elapsed())
}

/// Produces `count` records of `payload_len` bytes (idempotent, acks=all,
/// keyed like sessions) while a bare consumer reads them; returns the time
/// until the consumer has them all.
pub async fn produce_and_consume(brokers: &str, count: u64, payload_len: usize) -> anyhow::Result<Duration> {
    let topic = format!("tonearm.bench-bare-{}", uuid::Uuid::new_v4().simple());
    create_topic(brokers, &topic).await?;
    let started = Instant::now();
    let reader = {
        let (brokers, topic) = (brokers.to_owned(), topic.clone());
        tokio::task::spawn_blocking(move || consume(&brokers, &topic, count))
    };
    let brokers = brokers.to_owned();
    tokio::task::spawn_blocking(move || produce(&brokers, &topic, count, payload_len)).await??;
    reader.await??;
    Ok(started.elapsed())
}

fn produce(brokers: &str, topic: &str, count: u64, payload_len: usize) -> anyhow::Result<()> {
    let producer: BaseProducer = config(brokers)
        .set("enable.idempotence", "true")
        .set("acks", "all")
        .set("linger.ms", "5")
        .set("compression.type", "lz4")
        .create()
        .context("bare producer")?;
    let payload = vec![b'x'; payload_len];
    for n in 0..count {
        let key = format!("session-{}", n % 1000);
        loop {
            match producer.send(BaseRecord::<String, [u8]>::to(topic).key(&key).payload(&payload)) {
                Ok(()) => break,
                Err(_) => producer.poll(Duration::from_millis(5)),
            }
        }
        if n % 1000 == 0 {
            producer.poll(Duration::ZERO);
        }
    }
    producer.flush(Duration::from_secs(60))?;
    Ok(())
}
