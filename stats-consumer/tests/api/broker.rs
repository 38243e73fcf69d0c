//! The broker behaviour the exactly-once design relies on: offsets of the
//! records of one multi-record batch are unique and consecutive (tansu's
//! memory engine gets this wrong; the SQLite engine and Kafka get it right).

use std::time::Duration;

use rdkafka::{
    ClientConfig, Message as _, Offset, TopicPartitionList,
    consumer::{BaseConsumer, Consumer as _},
    producer::{FutureProducer, FutureRecord},
};

use crate::helpers::{create_topics, isolated_settings};

#[tokio::test]
async fn records_of_a_multi_record_batch_get_consecutive_offsets() {
    let (settings, _) = isolated_settings();
    create_topics(&settings).await;
    // A long linger packs the records into a few batches.
    let producer: FutureProducer = ClientConfig::new()
        .set("bootstrap.servers", &settings.kafka.brokers)
        .set("linger.ms", "200")
        .create()
        .expect("producer");
    let sends = (0..300).map(|n| {
        let payload = n.to_string();
        let producer = &producer;
        let topic = settings.kafka.events_topic.clone();
        async move {
            producer
                .send(
                    FutureRecord::to(&topic).partition(0).key("k").payload(&payload),
                    Duration::from_secs(10),
                )
                .await
                .expect("produced")
        }
    });
    let delivered = futures_util::future::join_all(sends).await;
    let mut offsets: Vec<i64> = delivered.iter().map(|delivery| delivery.offset).collect();
    offsets.sort_unstable();
    assert_eq!(offsets, (0..300).collect::<Vec<_>>(), "acknowledged offsets");

    let settings = settings.clone();
    let read = tokio::task::spawn_blocking(move || {
        let consumer: BaseConsumer = ClientConfig::new()
            .set("bootstrap.servers", &settings.kafka.brokers)
            .set("group.id", "offsets-check")
            .create()
            .expect("consumer");
        let mut partitions = TopicPartitionList::new();
        partitions
            .add_partition_offset(&settings.kafka.events_topic, 0, Offset::Beginning)
            .expect("partition");
        consumer.assign(&partitions).expect("assign");
        let mut read = Vec::new();
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        while read.len() < 300 && std::time::Instant::now() < deadline {
            if let Some(Ok(message)) = consumer.poll(Duration::from_millis(200)) {
                let payload = String::from_utf8_lossy(message.payload().unwrap_or_default()).into_owned();
                read.push((message.offset(), payload));
            }
        }
        read
    })
    .await
    .expect("read");
    let expected: Vec<(i64, String)> = (0..300).map(|n| (n, n.to_string())).collect();
    assert_eq!(read, expected, "each record once, at its own offset, in order");
}
