//! Prometheus collectors of the event pipeline.

use prometheus::{IntCounter, IntCounterVec, IntGauge, Opts};

/// Counters and gauges of the publisher, registered on the service registry.
#[derive(Clone)]
pub struct PublisherMetrics {
    pub accepted: IntCounter,
    pub rejected: IntCounterVec,
    pub delivered: IntCounter,
    pub delivery_errors: IntCounter,
    pub spooled: IntCounter,
    pub spool_bytes: IntGauge,
    pub spool_full: IntGauge,
    pub inflight: IntGauge,
}

impl PublisherMetrics {
    pub fn register(registry: &prometheus::Registry) -> anyhow::Result<Self> {
        let metrics = Self {
            accepted: IntCounter::new("events_accepted_total", "Player events accepted from sockets")?,
            rejected: IntCounterVec::new(
                Opts::new("events_rejected_total", "Player events refused, by reason"),
                &["reason"],
            )?,
            delivered: IntCounter::new(
                "events_delivered_total",
                "Player events acknowledged by the broker",
            )?,
            delivery_errors: IntCounter::new(
                "events_delivery_errors_total",
                "Deliveries that failed and were spooled again",
            )?,
            spooled: IntCounter::new("events_spooled_total", "Player events written to the disk spool")?,
            spool_bytes: IntGauge::new("events_spool_bytes", "Bytes in the disk spool")?,
            spool_full: IntGauge::new(
                "events_spool_full",
                "1 while the spool is full and events are refused",
            )?,
            inflight: IntGauge::new(
                "events_inflight",
                "Events handed to the producer, not yet acknowledged",
            )?,
        };
        registry.register(Box::new(metrics.accepted.clone()))?;
        registry.register(Box::new(metrics.rejected.clone()))?;
        registry.register(Box::new(metrics.delivered.clone()))?;
        registry.register(Box::new(metrics.delivery_errors.clone()))?;
        registry.register(Box::new(metrics.spooled.clone()))?;
        registry.register(Box::new(metrics.spool_bytes.clone()))?;
        registry.register(Box::new(metrics.spool_full.clone()))?;
        registry.register(Box::new(metrics.inflight.clone()))?;
        Ok(metrics)
    }
}
