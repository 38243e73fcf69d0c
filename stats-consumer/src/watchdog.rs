//! The watchdog: compares the stored offset of every partition with its log
//! end, exports the lag, and when a partition is behind and has not moved
//! for the stall threshold, says so (warning, metrics, `/readyz`, the
//! `{prefix}consumer:lag` hash the ops figures read) and recovers: first a
//! seek back to the stored offset, then leaving and rejoining the group.
//! Both only make the consumer read again what the fold script skips, so
//! exactly-once holds.

use std::{
    collections::BTreeMap,
    future::Future,
    pin::Pin,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use common::{redis_conn::LazyRedis, stats_keys::StatsKeys};
use rdkafka::consumer::{BaseConsumer, Consumer as _, StreamConsumer};
use tokio::sync::watch;

use crate::{
    assignment::SeekToStored,
    lag::{LagTracker, PartitionLag},
    metrics::ConsumerMetrics,
    recovery::Recovery,
};

/// How long the watchdog waits for the broker's answers.
const BROKER_TIMEOUT: Duration = Duration::from_secs(2);
/// How often the lag is logged at info while the fold is behind.
const SUMMARY_EVERY: Duration = Duration::from_secs(30);

/// The last sample, shared with `/readyz`.
#[derive(Clone, Default)]
pub struct FoldStatus(Arc<Mutex<Vec<PartitionLag>>>);

impl FoldStatus {
    fn set(&self, lags: Vec<PartitionLag>) {
        if let Ok(mut status) = self.0.lock() {
            *status = lags;
        }
    }

    /// Why the figures are stale, when they are.
    fn stalled(&self) -> Option<String> {
        let status = self.0.lock().ok()?;
        let stalled: Vec<String> = status.iter().filter(|lag| lag.stalled()).map(describe).collect();
        (!stalled.is_empty()).then(|| stalled.join("; "))
    }
}

fn describe(lag: &PartitionLag) -> String {
    let still = lag.stalled_for.map_or(0, |still| still.as_secs());
    if lag.ahead_of_log {
        format!(
            "partition {}: stored offset {} is past the log end {} (for {still} s)",
            lag.partition, lag.stored, lag.end
        )
    } else {
        format!(
            "partition {}: {} events ({:.0} s) behind, not advancing for {still} s",
            lag.partition, lag.events, lag.seconds
        )
    }
}

/// `/readyz` fails while a partition is stalled.
pub struct FoldCheck(pub FoldStatus);

impl common::health::DependencyCheck for FoldCheck {
    fn name(&self) -> &str {
        "fold"
    }

    fn check(&self) -> Pin<Box<dyn Future<Output = Result<(), String>> + Send + '_>> {
        let stalled = self.0.stalled();
        Box::pin(async move { stalled.map_or(Ok(()), Err) })
    }
}

/// The watchdog task's state.
pub struct Watchdog {
    pub probe: Arc<BaseConsumer>,
    pub redis: Arc<LazyRedis>,
    pub keys: StatsKeys,
    pub topic: String,
    pub stall: Duration,
    pub status: FoldStatus,
    pub metrics: ConsumerMetrics,
    pub recovery: Recovery,
}

/// A plain client (no group) that asks the broker for log ends.
pub fn probe(kafka: &common::settings::KafkaSettings) -> anyhow::Result<Arc<BaseConsumer>> {
    Ok(Arc::new(common::kafka::client_config(kafka).create()?))
}

impl Watchdog {
    /// Samples a few times per stall threshold until `stop`.
    pub async fn run(mut self, consumer: Arc<StreamConsumer<SeekToStored>>, mut stop: watch::Receiver<bool>) {
        let mut tracker = LagTracker::new(self.stall);
        let mut interval = tokio::time::interval((self.stall / 4).min(Duration::from_secs(1)));
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut summary = Instant::now();
        loop {
            tokio::select! {
                _ = stop.wait_for(|stop| *stop) => return,
                _ = interval.tick() => {}
            }
            // Without Redis nothing is folded either; `/readyz` names Redis.
            let Some(stored) = self.stored().await else {
                continue;
            };
            let ends = self.log_ends().await;
            let lags = tracker.observe(Instant::now(), &stored, ends.as_ref());
            self.export(&lags, ends.is_some()).await;
            if summary.elapsed() >= SUMMARY_EVERY && lags.iter().any(|lag| lag.events > 0) {
                summary = Instant::now();
                tracing::info!(lag = %lags.iter().map(summary_of).collect::<Vec<_>>().join(", "), "fold lag");
            }
            // While the broker is away nothing would help; a rejoin would only
            // add a member the broker has to expire once it is back.
            if ends.is_some() {
                self.recovery.act(&consumer, &self.topic, &lags).await;
            }
            self.status.set(lags);
        }
    }

    async fn stored(&self) -> Option<BTreeMap<i32, i64>> {
        let mut connection = self.redis.get().await.ok()?;
        match redis::cmd("HGETALL")
            .arg(self.keys.offsets())
            .query_async(&mut connection)
            .await
        {
            Ok(stored) => Some(stored),
            Err(error) => {
                tracing::debug!(%error, "reading stored offsets");
                None
            }
        }
    }

    /// Every partition's high watermark, or `None` when the broker does
    /// not answer in time.
    async fn log_ends(&self) -> Option<BTreeMap<i32, i64>> {
        let probe = Arc::clone(&self.probe);
        let topic = self.topic.clone();
        tokio::task::spawn_blocking(move || {
            let metadata = probe.fetch_metadata(Some(&topic), BROKER_TIMEOUT).ok()?;
            let partitions: Vec<i32> = metadata
                .topics()
                .iter()
                .filter(|found| found.name() == topic && found.error().is_none())
                .flat_map(|found| found.partitions().iter().map(|partition| partition.id()))
                .collect();
            partitions
                .into_iter()
                .map(|partition| {
                    let (_, high) = probe.fetch_watermarks(&topic, partition, BROKER_TIMEOUT).ok()?;
                    Some((partition, high))
                })
                .collect()
        })
        .await
        .ok()
        .flatten()
    }

    /// Metrics, the Redis hash the ops figures read, and a warning for each
    /// partition that has just stalled.
    async fn export(&self, lags: &[PartitionLag], broker_answered: bool) {
        let before = self
            .status
            .0
            .lock()
            .map(|status| status.clone())
            .unwrap_or_default();
        for lag in lags {
            let label = lag.partition.to_string();
            self.metrics.lag.with_label_values(&[&label]).set(lag.events);
            self.metrics
                .lag_seconds
                .with_label_values(&[&label])
                .set(lag.seconds);
            self.metrics
                .stalled
                .with_label_values(&[&label])
                .set(i64::from(lag.stalled()));
            let was = before.iter().find(|old| old.partition == lag.partition);
            match (was.is_some_and(PartitionLag::stalled), lag.stalled()) {
                (false, true) => tracing::warn!(
                    partition = lag.partition,
                    stored = lag.stored,
                    log_end = lag.end,
                    broker_answered,
                    "the fold is stalled: {}",
                    describe(lag)
                ),
                (true, false) => tracing::info!(
                    partition = lag.partition,
                    stored = lag.stored,
                    log_end = lag.end,
                    "the fold is advancing again"
                ),
                _ => {}
            }
        }
        let events: i64 = lags.iter().map(|lag| lag.events).sum();
        let seconds = lags.iter().map(|lag| lag.seconds).fold(0.0, f64::max);
        let stalled = lags.iter().filter(|lag| lag.stalled()).count();
        let Ok(mut connection) = self.redis.get().await else {
            return;
        };
        let written: redis::RedisResult<()> = redis::cmd("HSET")
            .arg(lag_key(&self.keys))
            .arg("events")
            .arg(events)
            .arg("seconds")
            .arg(format!("{seconds:.1}"))
            .arg("stalled")
            .arg(stalled)
            .arg("checked_ms")
            .arg(chrono::Utc::now().timestamp_millis())
            .query_async(&mut connection)
            .await;
        if let Err(error) = written {
            tracing::debug!(%error, "writing the lag");
        }
    }
}

/// `{prefix}consumer:lag`: the fold's lag over all partitions, written by
/// every stats-consumer on each sample (see docs/events.md).
pub fn lag_key(keys: &StatsKeys) -> String {
    keys.lag()
}

fn summary_of(lag: &PartitionLag) -> String {
    format!(
        "p{} {} events {:.0} s (stored {}, end {})",
        lag.partition, lag.events, lag.seconds, lag.stored, lag.end
    )
}
