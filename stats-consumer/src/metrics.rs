//! Prometheus collectors of the consumer.

use prometheus::IntCounter;

#[derive(Clone)]
pub struct ConsumerMetrics {
    pub applied: IntCounter,
    pub skipped: IntCounter,
    pub dead_letters: IntCounter,
    pub errors: IntCounter,
    pub expired: IntCounter,
}

impl ConsumerMetrics {
    pub fn register(registry: &prometheus::Registry) -> anyhow::Result<Self> {
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
        Ok(metrics)
    }
}
