//! Prometheus collectors of the consumer.

use prometheus::{GaugeVec, IntCounter, IntCounterVec, IntGaugeVec, Opts};

#[derive(Clone)]
pub struct ConsumerMetrics {
    pub applied: IntCounter,
    pub skipped: IntCounter,
    pub dead_letters: IntCounter,
    pub errors: IntCounter,
    pub expired: IntCounter,
    /// Per partition: records in the log not folded yet.
    pub lag: IntGaugeVec,
    /// Per partition: how long the oldest of them has waited.
    pub lag_seconds: GaugeVec,
    /// Per partition: 1 while behind and not advancing (see the watchdog).
    pub stalled: IntGaugeVec,
    /// Recovery steps the watchdog took, by action.
    pub recoveries: IntCounterVec,
}

impl ConsumerMetrics {
    pub fn register(registry: &prometheus::Registry) -> anyhow::Result<Self> {
        let partition = &["partition"];
        let metrics = Self {
            applied: IntCounter::new("stats_events_applied_total", "Events folded into Redis")?,
            skipped: IntCounter::new(
                "stats_events_skipped_total",
                "Events skipped because the stored offset already covered them",
            )?,
            dead_letters: IntCounter::new(
                "stats_dead_letters_total",
                "Poison records sent to the dead-letter topic",
            )?,
            errors: IntCounter::new("stats_batch_errors_total", "Batches that failed and were retried")?,
            expired: IntCounter::new(
                "stats_sessions_expired_total",
                "Sessions dropped from the online set for lack of heartbeats",
            )?,
            lag: IntGaugeVec::new(
                Opts::new("stats_lag", "Records of the partition's log not folded yet"),
                partition,
            )?,
            lag_seconds: GaugeVec::new(
                Opts::new(
                    "stats_lag_seconds",
                    "How long the oldest record not folded yet has waited",
                ),
                partition,
            )?,
            stalled: IntGaugeVec::new(
                Opts::new(
                    "stats_stalled",
                    "1 while the partition is behind and its stored offset has not moved for TONEARM_STATS_STALL_SECS",
                ),
                partition,
            )?,
            recoveries: IntCounterVec::new(
                Opts::new(
                    "stats_recoveries_total",
                    "Recovery steps taken for stalled partitions (seek, rejoin)",
                ),
                &["action"],
            )?,
        };
        for counter in [
            &metrics.applied,
            &metrics.skipped,
            &metrics.dead_letters,
            &metrics.errors,
            &metrics.expired,
        ] {
            registry.register(Box::new(counter.clone()))?;
        }
        registry.register(Box::new(metrics.lag.clone()))?;
        registry.register(Box::new(metrics.lag_seconds.clone()))?;
        registry.register(Box::new(metrics.stalled.clone()))?;
        registry.register(Box::new(metrics.recoveries.clone()))?;
        Ok(metrics)
    }
}
