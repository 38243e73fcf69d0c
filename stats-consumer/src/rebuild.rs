//! `stats-consumer rebuild`: refolds the topic from the earliest offset into
//! fresh keys, catches up with the live consumer, and swaps the result in
//! atomically. Analytics jobs replay the topic the same way.

use std::{
    collections::{BTreeMap, VecDeque},
    time::{Duration, Instant},
};

use anyhow::Context as _;
use common::{Settings, events::PlayerEvent, stats_keys::StatsKeys};
use rdkafka::{
    Message as _, Offset, TopicPartitionList,
    consumer::{Consumer as _, StreamConsumer},
    message::OwnedMessage,
};
use redis::aio::MultiplexedConnection;

use crate::{
    fold::{FoldTarget, Folder, Positioned},
    settings::StatsSettings,
};

/// What a rebuild did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RebuildReport {
    pub events: u64,
    pub partitions: usize,
    pub keys: usize,
    pub elapsed_ms: u128,
}

impl std::fmt::Display for RebuildReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "rebuilt {} keys from {} events on {} partitions in {} ms",
            self.keys, self.events, self.partitions, self.elapsed_ms
        )
    }
}

/// The fold's keys, as patterns under the prefix.
pub use common::stats_keys::FOLD_PATTERNS;

/// Every key matching `pattern`.
pub async fn scan(connection: &mut MultiplexedConnection, pattern: &str) -> redis::RedisResult<Vec<String>> {
    let mut keys = Vec::new();
    let mut cursor: u64 = 0;
    loop {
        let (next, batch): (u64, Vec<String>) = redis::cmd("SCAN")
            .arg(cursor)
            .arg("MATCH")
            .arg(pattern)
            .arg("COUNT")
            .arg(1000)
            .query_async(connection)
            .await?;
        keys.extend(batch);
        if next == 0 {
            return Ok(keys);
        }
        cursor = next;
    }
}

/// Escapes glob characters of a prefix for SCAN MATCH.
fn glob_escape(text: &str) -> String {
    text.chars()
        .flat_map(|c| match c {
            '*' | '?' | '[' | ']' | '\\' => vec!['\\', c],
            other => vec![other],
        })
        .collect()
}

struct Partition {
    next: i64,
    waiting: VecDeque<OwnedMessage>,
}

/// Refolds everything and swaps it in; returns what it did.
pub async fn rebuild(settings: &Settings, stats: &StatsSettings) -> anyhow::Result<RebuildReport> {
    let started = Instant::now();
    let live = StatsKeys::new(settings.redis.prefix.clone());
    let fresh_prefix = format!("{}rebuild:{}:", live.prefix(), uuid::Uuid::new_v4().simple());
    let target = FoldTarget {
        keys: StatsKeys::new(fresh_prefix.clone()),
        session_ttl_secs: stats.session_ttl_secs,
        trending_ttl_secs: stats.trending_ttl_secs,
        ranked_songs: stats.ranked_songs,
        notify: false,
    };
    let client = common::redis_client::client(&settings.redis)?;
    let mut redis = client
        .get_multiplexed_async_connection()
        .await
        .context("connecting to Redis")?;
    let consumer = replay_consumer(settings)?;
    let partitions = consumer.assignment()?.count();
    let folder = Folder::default();
    let mut state: BTreeMap<i32, Partition> = BTreeMap::new();
    let mut events = 0u64;
    let result = loop {
        let goal: BTreeMap<i32, i64> = redis::cmd("HGETALL")
            .arg(live.offsets())
            .query_async(&mut redis)
            .await
            .context("reading the live offsets")?;
        events += fold_until(&consumer, &folder, &target, &mut redis, &mut state, &goal).await?;
        match swap(&mut redis, &live, &fresh_prefix, &goal).await? {
            Some(keys) => break keys,
            None => tracing::info!("the live consumer moved on; folding the rest"),
        }
    };
    Ok(RebuildReport {
        events,
        partitions,
        keys: result,
        elapsed_ms: started.elapsed().as_millis(),
    })
}

/// A consumer of every partition from the earliest offset, outside the
/// live consumer group.
fn replay_consumer(settings: &Settings) -> anyhow::Result<StreamConsumer> {
    let consumer: StreamConsumer = common::kafka::client_config(&settings.kafka)
        .set(
            "group.id",
            format!("tonearm-rebuild-{}", uuid::Uuid::new_v4().simple()),
        )
        .set("enable.auto.commit", "false")
        .set("auto.offset.reset", "earliest")
        .create()
        .context("creating the replay consumer")?;
    let topic = &settings.kafka.events_topic;
    let metadata = consumer
        .fetch_metadata(Some(topic), Duration::from_secs(10))
        .context("reading the topic's partitions")?;
    let mut assignment = TopicPartitionList::new();
    for found in metadata.topics().iter().filter(|found| found.name() == topic) {
        for partition in found.partitions() {
            assignment.add_partition_offset(topic, partition.id(), Offset::Beginning)?;
        }
    }
    consumer.assign(&assignment).context("assigning the partitions")?;
    Ok(consumer)
}

/// Folds every partition up to (not including) its goal offset.
async fn fold_until(
    consumer: &StreamConsumer,
    folder: &Folder,
    target: &FoldTarget,
    redis: &mut MultiplexedConnection,
    state: &mut BTreeMap<i32, Partition>,
    goal: &BTreeMap<i32, i64>,
) -> anyhow::Result<u64> {
    let mut folded = 0;
    loop {
        for (partition, entry) in state.iter_mut() {
            let goal = goal.get(partition).copied().unwrap_or(0);
            let mut batch = Vec::new();
            while entry
                .waiting
                .front()
                .is_some_and(|message| message.offset() < goal)
            {
                batch.extend(entry.waiting.pop_front());
            }
            if let Some(last) = batch.last() {
                let next = last.offset() + 1;
                let events: Vec<Positioned> = batch
                    .iter()
                    .filter_map(|message| {
                        let event = PlayerEvent::decode(message.payload().unwrap_or_default()).ok()?;
                        Some(Positioned {
                            offset: message.offset(),
                            event,
                        })
                    })
                    .collect();
                folded += events.len() as u64;
                folder.apply(redis, target, *partition, next, &events).await?;
                entry.next = next;
            }
        }
        let done = goal
            .iter()
            .all(|(partition, goal)| state.get(partition).is_some_and(|entry| entry.next >= *goal));
        if done {
            return Ok(folded);
        }
        let message = tokio::time::timeout(Duration::from_secs(30), consumer.recv())
            .await
            .context("the topic stopped before reaching the live offsets")??;
        let message = message.detach();
        state
            .entry(message.partition())
            .or_insert_with(|| Partition {
                next: 0,
                waiting: VecDeque::new(),
            })
            .waiting
            .push_back(message);
    }
}

/// Swaps the rebuilt keys in when the live offsets still equal `goal`.
async fn swap(
    redis: &mut MultiplexedConnection,
    live: &StatsKeys,
    fresh_prefix: &str,
    goal: &BTreeMap<i32, i64>,
) -> anyhow::Result<Option<usize>> {
    let mut live_keys = Vec::new();
    for pattern in FOLD_PATTERNS {
        live_keys.extend(scan(redis, &format!("{}{pattern}", glob_escape(live.prefix()))).await?);
    }
    let fresh_keys = scan(redis, &format!("{}*", glob_escape(fresh_prefix))).await?;
    let script = redis::Script::new(include_str!("lua/swap.lua"));
    let mut invocation = script.prepare_invoke();
    invocation.arg(live.prefix()).arg(fresh_prefix).arg(goal.len());
    for (partition, offset) in goal {
        invocation.arg(partition.to_string()).arg(offset.to_string());
    }
    invocation.arg(live_keys.len()).arg(&live_keys).arg(&fresh_keys);
    let swapped: i64 = invocation
        .invoke_async(redis)
        .await
        .context("swapping the rebuilt keys in")?;
    Ok((swapped == 1).then_some(fresh_keys.len()))
}
