//! What the watchdog does about a stalled partition: a first step once the
//! stall threshold passes without progress, then one more each half
//! threshold:
//!
//! 1. the partition is ours: seek back to its stored offset (a fetch
//!    position the broker no longer answers is dropped);
//! 2. then (or at once when another member owns it): leave the group and
//!    join again, so the group rebalances (members that died are dropped)
//!    and the assignment starts afresh at the stored offsets; repeated while
//!    the stall lasts, each rejoin waiting twice as long as the one before
//!    (half the threshold first, at most a minute), so a join that a busy
//!    broker answers slowly is not restarted before it can finish.
//!
//! A stored offset past the log's end is only reported (see [`Recovery::act`]).
//!
//! Nothing is done while a rebalance is under way (a rejoin then only
//! restarts it): the steps due are taken once its assignment has come.
//! Neither step loses or doubles an event: the fold script skips what the
//! stored offset covers.

use std::{
    collections::BTreeMap,
    sync::Arc,
    time::{Duration, Instant},
};

use rdkafka::{
    Offset,
    consumer::{Consumer as _, StreamConsumer},
};

use crate::{assignment::SeekToStored, lag::PartitionLag, metrics::ConsumerMetrics};

/// The longest wait between two rejoins.
const MAX_REJOIN_WAIT: Duration = Duration::from_secs(60);

/// The recovery steps taken in the current stalls.
pub struct Recovery {
    stall: Duration,
    /// Per stalled partition, the last step taken (1, 2, ...).
    taken: BTreeMap<i32, u32>,
    last_rejoin: Option<Instant>,
    /// Rejoins in the current stalls; each waits twice as long as the one
    /// before (up to [`MAX_REJOIN_WAIT`]), so a join that is slow on a busy
    /// broker is given time to finish instead of being restarted.
    rejoins: u32,
    metrics: ConsumerMetrics,
}

enum Step {
    Seek(i32, i64),
    Rejoin,
}

impl Recovery {
    pub fn new(stall: Duration, metrics: ConsumerMetrics) -> Self {
        Self {
            stall,
            taken: BTreeMap::new(),
            last_rejoin: None,
            rejoins: 0,
            metrics,
        }
    }

    /// Takes the steps that are due for the stalled partitions of `lags`.
    pub async fn act(
        &mut self,
        consumer: &Arc<StreamConsumer<SeekToStored>>,
        topic: &str,
        lags: &[PartitionLag],
    ) {
        self.taken.retain(|partition, _| {
            lags.iter()
                .any(|lag| lag.partition == *partition && lag.stalled())
        });
        if self.taken.is_empty() {
            self.rejoins = 0;
        }
        // Wait for a rebalance under way (ours or the group's) to end: the
        // steps due are taken once its assignment has come.
        if consumer.context().rebalancing() {
            return;
        }
        let owned: Vec<i32> = consumer
            .assignment()
            .map(|list| {
                list.elements()
                    .iter()
                    .map(|element| element.partition())
                    .collect()
            })
            .unwrap_or_default();
        let mut steps = Vec::new();
        for lag in lags {
            let Some(still) = lag.stalled_for else {
                continue;
            };
            // A log that went back behind the stored offset (topic recreated,
            // broker data lost) needs a decision this cannot take: the next
            // assignment folds it from its start on top of the counters
            // (see the rebalance callback); `stats-consumer rebuild` gives
            // figures of the new log alone. It is reported, not acted on.
            if lag.ahead_of_log {
                continue;
            }
            let due = self.step_due(still);
            let taken = self.taken.get(&lag.partition).copied().unwrap_or(0);
            if due <= taken {
                continue;
            }
            self.taken.insert(lag.partition, due);
            if due == 1 && owned.contains(&lag.partition) {
                steps.push(Step::Seek(lag.partition, lag.stored));
            } else {
                steps.push(Step::Rejoin);
            }
        }
        for step in steps {
            match step {
                Step::Seek(partition, offset) => self.seek(consumer, topic, partition, offset).await,
                Step::Rejoin => self.rejoin(consumer, topic),
            }
        }
    }

    /// The step due after `still` without progress: the first at the
    /// threshold, then one more each half threshold.
    fn step_due(&self, still: Duration) -> u32 {
        let half = (self.stall / 2).max(Duration::from_millis(1));
        let after_first = still.saturating_sub(self.stall);
        u32::try_from(1 + after_first.as_millis() / half.as_millis()).unwrap_or(u32::MAX)
    }

    async fn seek(
        &self,
        consumer: &Arc<StreamConsumer<SeekToStored>>,
        topic: &str,
        partition: i32,
        offset: i64,
    ) {
        tracing::warn!(partition, offset, "stalled: seeking back to the stored offset");
        self.metrics.recoveries.with_label_values(&["seek"]).inc();
        let consumer = Arc::clone(consumer);
        let topic = topic.to_owned();
        let sought = tokio::task::spawn_blocking(move || {
            consumer.seek(&topic, partition, Offset::Offset(offset), Duration::from_secs(2))
        })
        .await;
        match sought {
            Ok(Ok(())) => {}
            Ok(Err(error)) => tracing::warn!(%error, partition, "the seek failed; rejoining next"),
            Err(error) => tracing::warn!(%error, partition, "the seek did not finish"),
        }
    }

    /// How long after a rejoin the next may come: half the threshold, then
    /// doubling with each rejoin of the same stalls.
    fn rejoin_wait(&self) -> Duration {
        let doubled = (self.stall / 2).saturating_mul(1 << self.rejoins.min(6));
        doubled.min(MAX_REJOIN_WAIT.max(self.stall / 2))
    }

    /// Leaves the group and joins again (see [`Recovery::rejoin_wait`]).
    fn rejoin(&mut self, consumer: &StreamConsumer<SeekToStored>, topic: &str) {
        if self
            .last_rejoin
            .is_some_and(|at| at.elapsed() < self.rejoin_wait())
        {
            return;
        }
        self.last_rejoin = Some(Instant::now());
        self.rejoins = self.rejoins.saturating_add(1);
        tracing::warn!("stalled: leaving the consumer group and joining again");
        self.metrics.recoveries.with_label_values(&["rejoin"]).inc();
        consumer.unsubscribe();
        if let Err(error) = consumer.subscribe(&[topic]) {
            tracing::error!(%error, "subscribing again to the events topic");
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::Recovery;

    #[test]
    fn steps_come_at_the_threshold_then_each_half_threshold() {
        let registry = prometheus::Registry::new();
        let metrics = crate::metrics::ConsumerMetrics::register(&registry).expect("metrics");
        let recovery = Recovery::new(Duration::from_secs(10), metrics);
        let due = |secs: u64| recovery.step_due(Duration::from_secs(secs));
        assert_eq!(
            [due(10), due(14), due(15), due(19), due(20), due(25)],
            [1, 1, 2, 2, 3, 4]
        );
    }

    #[test]
    fn each_rejoin_of_one_stall_waits_twice_as_long_up_to_a_minute() {
        let registry = prometheus::Registry::new();
        let metrics = crate::metrics::ConsumerMetrics::register(&registry).expect("metrics");
        let mut recovery = Recovery::new(Duration::from_secs(10), metrics);
        let mut waits = Vec::new();
        for _ in 0..6 {
            waits.push(recovery.rejoin_wait().as_secs());
            recovery.rejoins += 1;
        }
        assert_eq!(waits, [5, 10, 20, 40, 60, 60]);
    }
}
