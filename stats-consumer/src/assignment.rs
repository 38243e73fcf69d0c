//! The consumer's rebalance callback: each assigned partition starts at the
//! offset stored in Redis (Kafka's committed offset only when Redis has
//! none), and what was asked for and what arrived first is logged.

use std::{
    collections::BTreeMap,
    sync::Mutex,
    time::{Duration, Instant},
};

use common::stats_keys::StatsKeys;
use rdkafka::{
    ClientContext, Offset, TopicPartitionList,
    consumer::{BaseConsumer, Consumer as _, ConsumerContext},
    types::RDKafkaRespErr,
};

/// On assignment, starts each partition at the offset stored in Redis.
pub struct SeekToStored {
    redis: redis::Client,
    keys: StatsKeys,
    /// Partitions assigned and not fetched from yet, with the offset asked
    /// for (`None`: the committed one).
    awaiting: Mutex<BTreeMap<i32, Option<i64>>>,
    /// When partitions were last revoked, until the next assignment: a
    /// rebalance is under way.
    revoked_at: Mutex<Option<Instant>>,
}

/// A rebalance that has not ended after this long is not waited for.
const REBALANCE_WAIT: Duration = Duration::from_secs(30);

impl ClientContext for SeekToStored {}

impl SeekToStored {
    pub fn new(redis: redis::Client, keys: StatsKeys) -> Self {
        Self {
            redis,
            keys,
            awaiting: Mutex::new(BTreeMap::new()),
            revoked_at: Mutex::new(None),
        }
    }

    /// Whether partitions were revoked and the next assignment has not come
    /// yet (recovering now would only restart the rebalance).
    pub fn rebalancing(&self) -> bool {
        self.revoked_at
            .lock()
            .map(|at| at.is_some_and(|at| at.elapsed() < REBALANCE_WAIT))
            .unwrap_or(false)
    }

    fn set_revoked(&self, at: Option<Instant>) {
        if let Ok(mut revoked_at) = self.revoked_at.lock() {
            *revoked_at = at;
        }
    }

    /// Logs the first record fetched from a partition since its assignment.
    pub fn fetched(&self, partition: i32, offset: i64) {
        let Ok(mut awaiting) = self.awaiting.lock() else {
            return;
        };
        if let Some(asked) = awaiting.remove(&partition) {
            tracing::info!(
                partition,
                offset,
                ?asked,
                "first record fetched since the assignment"
            );
        }
    }

    /// A blocking connection (the rebalance callback is not async).
    fn connection(&self) -> Result<redis::Connection, redis::RedisError> {
        let connection = self.redis.get_connection_with_timeout(Duration::from_secs(2))?;
        connection.set_read_timeout(Some(Duration::from_secs(2)))?;
        Ok(connection)
    }

    fn stored(&self) -> Result<BTreeMap<i32, i64>, redis::RedisError> {
        redis::cmd("HGETALL")
            .arg(self.keys.offsets())
            .query(&mut self.connection()?)
    }

    /// Where a partition resumes: at its stored offset, unless the log no
    /// longer reaches it (the topic was deleted and created again, or the
    /// broker lost its data). The fold script skips offsets below the
    /// stored one, so new events would be ignored until the new log grew
    /// past it: the stored offset is moved back to the log's start instead,
    /// and that is logged, since counters then mix two logs.
    fn start_of(&self, consumer: &BaseConsumer<Self>, topic: &str, partition: i32, stored: i64) -> i64 {
        let (low, high) = match consumer.fetch_watermarks(topic, partition, Duration::from_secs(2)) {
            Ok(marks) => marks,
            Err(error) => {
                tracing::warn!(%error, partition, "cannot read the log's end; resuming at the stored offset");
                return stored;
            }
        };
        if stored <= high {
            return stored;
        }
        tracing::warn!(
            partition,
            stored,
            log_start = low,
            log_end = high,
            "the stored offset is past the end of the log (topic recreated or broker data lost); \
             folding this partition again from the start of its log"
        );
        if let Err(error) = self.store_offset(partition, low) {
            tracing::error!(%error, partition, "cannot move the stored offset back");
            return stored;
        }
        low
    }

    fn store_offset(&self, partition: i32, offset: i64) -> Result<(), redis::RedisError> {
        redis::cmd("HSET")
            .arg(self.keys.offsets())
            .arg(partition)
            .arg(offset)
            .query(&mut self.connection()?)
    }

    /// Sets the start offset of every partition of `tpl` that Redis knows.
    fn start_at_stored(
        &self,
        consumer: &BaseConsumer<Self>,
        tpl: &mut TopicPartitionList,
    ) -> BTreeMap<i32, Option<i64>> {
        let partitions: Vec<(String, i32)> = tpl
            .elements()
            .iter()
            .map(|element| (element.topic().to_owned(), element.partition()))
            .collect();
        let stored = match self.stored() {
            Ok(stored) => stored,
            Err(error) => {
                // Still correct: the fold script skips what Redis already covers.
                tracing::warn!(%error, "cannot read stored offsets; starting at committed offsets");
                BTreeMap::new()
            }
        };
        let mut starts = BTreeMap::new();
        for (topic, partition) in partitions {
            let start = stored
                .get(&partition)
                .map(|stored| self.start_of(consumer, &topic, partition, *stored));
            if let Some(start) = start {
                let _ = tpl.set_partition_offset(&topic, partition, Offset::Offset(start));
            }
            starts.insert(partition, start);
        }
        starts
    }
}

impl ConsumerContext for SeekToStored {
    fn rebalance(&self, consumer: &BaseConsumer<Self>, err: RDKafkaRespErr, tpl: &mut TopicPartitionList) {
        if err != RDKafkaRespErr::RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS {
            let revoked: Vec<i32> = tpl.elements().iter().map(|element| element.partition()).collect();
            tracing::info!(?revoked, reason = ?err, "partitions revoked");
            self.set_revoked(Some(Instant::now()));
            if let Err(error) = consumer.unassign() {
                tracing::warn!(%error, "unassigning partitions");
            }
            return;
        }
        let starts = self.start_at_stored(consumer, tpl);
        tracing::info!(
            assigned = ?starts,
            "partitions assigned; starting at the offsets stored in Redis (none: the committed offset)"
        );
        if let Ok(mut awaiting) = self.awaiting.lock() {
            *awaiting = starts;
        }
        if let Err(error) = consumer.assign(tpl) {
            tracing::error!(%error, "assigning partitions");
        }
        self.set_revoked(None);
    }
}
