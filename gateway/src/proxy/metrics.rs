//! Per-upstream figures: requests by instance and outcome, and the time to
//! the answer's headers.

use std::time::Duration;

use prometheus::{HistogramOpts, HistogramVec, IntCounterVec, Opts, Registry};

/// Collectors registered on the gateway's registry.
pub struct ProxyMetrics {
    requests: IntCounterVec,
    latency: HistogramVec,
}

impl ProxyMetrics {
    pub fn register(registry: &Registry) -> anyhow::Result<Self> {
        let requests = IntCounterVec::new(
            Opts::new(
                "gateway_upstream_requests_total",
                "Requests sent to upstream instances, by outcome (ok, error, timeout)",
            ),
            &["service", "instance", "outcome"],
        )?;
        let latency = HistogramVec::new(
            HistogramOpts::new(
                "gateway_upstream_header_seconds",
                "Time until an upstream instance answered with headers",
            )
            .buckets(vec![
                0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0, 5.0,
            ]),
            &["service", "instance"],
        )?;
        registry.register(Box::new(requests.clone()))?;
        registry.register(Box::new(latency.clone()))?;
        Ok(Self { requests, latency })
    }

    pub fn observe(&self, service: &str, instance: &str, outcome: &str, elapsed: Duration) {
        self.requests
            .with_label_values(&[service, instance, outcome])
            .inc();
        if outcome == "ok" {
            self.latency
                .with_label_values(&[service, instance])
                .observe(elapsed.as_secs_f64());
        }
    }
}
