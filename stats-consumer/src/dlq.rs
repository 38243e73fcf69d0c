//! Poison records go to the dead-letter topic with the reason in a header,
//! so one bad record never blocks its partition.

use std::time::Duration;

use anyhow::Context as _;
use common::{events::DLQ_REASON_HEADER, settings::KafkaSettings};
use rdkafka::{
    Message as _,
    message::{Header, Headers as _, OwnedHeaders, OwnedMessage},
    producer::{FutureProducer, FutureRecord},
};

/// Produces dead-letter records.
pub struct DeadLetters {
    producer: FutureProducer,
    topic: String,
}

impl DeadLetters {
    pub fn new(kafka: &KafkaSettings) -> anyhow::Result<Self> {
        let producer = common::kafka::client_config(kafka)
            .set("enable.idempotence", "true")
            .set("acks", "all")
            .create()
            .context("creating the dead-letter producer")?;
        Ok(Self {
            producer,
            topic: kafka.dlq_topic(),
        })
    }

    /// Sends a copy of `message` with why it was refused; waits for the ack
    /// so the offset is stored only after the record is safe.
    pub async fn send(&self, message: &OwnedMessage, reason: &str, detail: &str) -> anyhow::Result<()> {
        let partition = message.partition().to_string();
        let offset = message.offset().to_string();
        let mut headers = OwnedHeaders::new();
        if let Some(original) = message.headers() {
            for header in original.iter() {
                headers = headers.insert(header);
            }
        }
        for (key, value) in [
            (DLQ_REASON_HEADER, reason),
            ("x-tonearm-dlq-detail", detail),
            ("x-tonearm-source-topic", message.topic()),
            ("x-tonearm-source-partition", partition.as_str()),
            ("x-tonearm-source-offset", offset.as_str()),
        ] {
            headers = headers.insert(Header {
                key,
                value: Some(value),
            });
        }
        let mut record = FutureRecord::<[u8], [u8]>::to(&self.topic).headers(headers);
        if let Some(key) = message.key() {
            record = record.key(key);
        }
        if let Some(payload) = message.payload() {
            record = record.payload(payload);
        }
        self.producer
            .send(record, Duration::from_secs(30))
            .await
            .map_err(|(error, _)| error)
            .context("sending a record to the dead-letter topic")?;
        Ok(())
    }
}
