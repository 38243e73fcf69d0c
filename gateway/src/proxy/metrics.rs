//! Per-upstream figures: requests by instance and outcome, and the time to
//! the answer's headers.
//!
//! Each instance gets its series once, when the balancer is built
//! ([`ProxyMetrics::for_instance`]): looking a series up by its labels
//! hashes them and takes the vector's lock, work a request need not repeat.

use std::time::Duration;

use prometheus::{Histogram, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, Opts, Registry};

/// Collectors registered on the gateway's registry.
pub struct ProxyMetrics {
    requests: IntCounterVec,
    latency: HistogramVec,
}

/// How an upstream request ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Ok,
    Error,
    Timeout,
}

/// The series of one instance, resolved once.
#[derive(Debug)]
pub struct InstanceMetrics {
    ok: IntCounter,
    error: IntCounter,
    timeout: IntCounter,
    latency: Histogram,
}

impl InstanceMetrics {
    /// Counts one request to the instance; the time to its headers is
    /// recorded for answered requests only.
    pub fn observe(&self, outcome: Outcome, elapsed: Duration) {
        match outcome {
            Outcome::Ok => {
                self.ok.inc();
                self.latency.observe(elapsed.as_secs_f64());
            }
            Outcome::Error => self.error.inc(),
            Outcome::Timeout => self.timeout.inc(),
        }
    }
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

    /// The series of `instance` (`catalog[0]`) of `service`.
    pub fn for_instance(&self, service: &str, instance: &str) -> InstanceMetrics {
        let counter = |outcome: &str| self.requests.with_label_values(&[service, instance, outcome]);
        InstanceMetrics {
            ok: counter("ok"),
            error: counter("error"),
            timeout: counter("timeout"),
            latency: self.latency.with_label_values(&[service, instance]),
        }
    }
}
