//! The consumer loop: poll a batch, split it by partition, send poison
//! records to the dead-letter topic, apply each partition's events with one
//! atomic script that also stores the next offset, then commit to Kafka
//! (for lag monitoring only: Redis holds the offsets that count).

use std::{collections::BTreeMap, sync::Arc, time::Duration};

use anyhow::Context as _;
use common::{Settings, events::PlayerEvent, redis_conn::LazyRedis, stats_keys::StatsKeys};
use rdkafka::{
    Message as _, Offset, TopicPartitionList,
    consumer::{CommitMode, Consumer as _, StreamConsumer},
    error::KafkaError,
    message::OwnedMessage,
    types::RDKafkaErrorCode,
};
use tokio::{sync::watch, task::JoinHandle};

use crate::{
    assignment::SeekToStored,
    dlq::DeadLetters,
    fold::{FoldTarget, Folder, Positioned},
    metrics::ConsumerMetrics,
    settings::StatsSettings,
};

/// Builds the group consumer (`create_consumer` never panics on bad input);
/// it subscribes once the topic exists (see [`FoldLoop::run`]).
pub fn create_consumer(
    settings: &Settings,
    stats: &StatsSettings,
    redis: redis::Client,
) -> anyhow::Result<StreamConsumer<SeekToStored>> {
    let context = SeekToStored::new(redis, StatsKeys::new(settings.redis.prefix.clone()));
    common::kafka::client_config(&settings.kafka)
        .set("group.id", &stats.group)
        .set("enable.auto.commit", "false")
        .set("enable.auto.offset.store", "false")
        .set("auto.offset.reset", "earliest")
        .set("partition.assignment.strategy", "range")
        .set("session.timeout.ms", "10000")
        .set("heartbeat.interval.ms", "1000")
        // Also bounds how long a rebalance waits for members that died
        // without leaving (the loop polls continuously, so 20 s is ample).
        .set("max.poll.interval.ms", "20000")
        // Small fetches: a broker that builds large fetch answers slowly
        // (tansu's SQLite engine) would otherwise hold the connection past
        // the socket timeout and starve the group heartbeats.
        .set("max.partition.fetch.bytes", "262144")
        .set("fetch.max.bytes", "1048576")
        // A topic created just after the subscription (a first start, where
        // the topic and the consumer come up together) is seen within
        // seconds, not at librdkafka's default five-minute refresh.
        .set("topic.metadata.refresh.interval.ms", "5000")
        .create_with_context(context)
        .context("creating the Kafka consumer")
}

/// What the loop needs besides the consumer.
pub struct FoldLoop {
    pub consumer: Arc<StreamConsumer<SeekToStored>>,
    pub redis: Arc<LazyRedis>,
    pub folder: Folder,
    pub target: FoldTarget,
    pub dead_letters: DeadLetters,
    pub stats: StatsSettings,
    pub metrics: ConsumerMetrics,
}

impl FoldLoop {
    /// Subscribes once `topics` has made sure the events topic exists, then
    /// folds until `stop` turns true; a batch in progress is finished first.
    ///
    /// Joining the group before the topic exists gives an empty first
    /// assignment, and a broker that hands a rejoining member its previous
    /// assignment (tansu) would keep it empty: the topic comes first.
    pub async fn run(self, mut topics: JoinHandle<()>, topic: String, mut stop: watch::Receiver<bool>) {
        tokio::select! {
            _ = stop.wait_for(|stop| *stop) => {
                topics.abort();
                return;
            }
            ensured = &mut topics => {
                if let Err(error) = ensured {
                    tracing::error!(%error, "ensuring the events topic stopped");
                }
            }
        }
        if let Err(error) = self.consumer.subscribe(&[&topic]) {
            tracing::error!(%error, "subscribing to the events topic");
            return;
        }
        loop {
            let batch = tokio::select! {
                _ = stop.wait_for(|stop| *stop) => break,
                batch = self.next_batch() => batch,
            };
            if let Err(error) = self.handle(batch).await {
                self.metrics.errors.inc();
                tracing::warn!(
                    error = format!("{error:#}"),
                    "batch not applied; retrying from stored offsets"
                );
                self.rewind().await;
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
        }
        tracing::info!("consumer stopped");
    }

    /// Waits for one record, then takes what arrives within the batch wait.
    async fn next_batch(&self) -> Vec<OwnedMessage> {
        let mut batch = Vec::new();
        loop {
            match self.consumer.recv().await {
                Ok(message) => {
                    self.consumer
                        .context()
                        .fetched(message.partition(), message.offset());
                    batch.push(message.detach());
                    break;
                }
                Err(KafkaError::MessageConsumption(RDKafkaErrorCode::AutoOffsetReset)) => {
                    // The fold script skips the replayed records, but a log
                    // that went back (broker data lost) shows here first.
                    tracing::warn!(
                        "the broker no longer serves a partition's fetch position; \
                         it restarts at the start of its log"
                    );
                }
                Err(error) => {
                    tracing::debug!(%error, "consumer error");
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
            }
        }
        let deadline = tokio::time::Instant::now() + self.stats.batch_wait;
        while batch.len() < self.stats.batch_max {
            match tokio::time::timeout_at(deadline, self.consumer.recv()).await {
                Ok(Ok(message)) => {
                    self.consumer
                        .context()
                        .fetched(message.partition(), message.offset());
                    batch.push(message.detach());
                }
                Ok(Err(_)) | Err(_) => break,
            }
        }
        batch
    }

    async fn handle(&self, batch: Vec<OwnedMessage>) -> anyhow::Result<()> {
        let mut by_partition: BTreeMap<i32, Vec<OwnedMessage>> = BTreeMap::new();
        for message in batch {
            by_partition.entry(message.partition()).or_default().push(message);
        }
        let mut commit = TopicPartitionList::new();
        for (partition, messages) in by_partition {
            let next = self.apply_partition(partition, &messages).await?;
            commit.add_partition_offset(messages[0].topic(), partition, Offset::Offset(next))?;
        }
        // Best effort: Kafka's committed offsets only show lag to operators.
        if !self.stats.kafka_commit {
            return Ok(());
        }
        if let Err(error) = self.consumer.commit(&commit, CommitMode::Async) {
            tracing::debug!(%error, "committing offsets to Kafka");
        }
        Ok(())
    }

    async fn apply_partition(&self, partition: i32, messages: &[OwnedMessage]) -> anyhow::Result<i64> {
        let mut events = Vec::with_capacity(messages.len());
        for message in messages {
            match PlayerEvent::decode(message.payload().unwrap_or_default()) {
                Ok(event) => events.push(Positioned {
                    offset: message.offset(),
                    event,
                }),
                Err(error) => {
                    self.dead_letters
                        .send(message, error.reason_code(), &error.to_string())
                        .await?;
                    self.metrics.dead_letters.inc();
                }
            }
        }
        let next_offset = messages.last().map_or(0, |message| message.offset() + 1);
        let mut connection = self.redis.get().await.context("connecting to Redis")?;
        let applied = self
            .folder
            .apply(&mut connection, &self.target, partition, next_offset, &events)
            .await
            .context("applying a batch")?;
        self.metrics.applied.inc_by(applied.applied);
        self.metrics
            .skipped
            .inc_by(events.len() as u64 - applied.applied.min(events.len() as u64));
        Ok(next_offset)
    }

    /// After a failed batch, goes back to the offsets Redis holds so nothing
    /// fetched but unapplied is lost.
    async fn rewind(&self) {
        let Ok(assignment) = self.consumer.assignment() else {
            return;
        };
        let Ok(mut connection) = self.redis.get().await else {
            return;
        };
        let stored: BTreeMap<i32, i64> = redis::cmd("HGETALL")
            .arg(self.target.keys.offsets())
            .query_async(&mut connection)
            .await
            .unwrap_or_default();
        for element in assignment.elements() {
            let offset = stored
                .get(&element.partition())
                .map_or(Offset::Beginning, |o| Offset::Offset(*o));
            if let Err(error) = self.consumer.seek(
                element.topic(),
                element.partition(),
                offset,
                Duration::from_secs(5),
            ) {
                tracing::warn!(%error, partition = element.partition(), "rewinding");
            }
        }
    }
}
