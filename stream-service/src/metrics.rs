//! The stream service's own Prometheus collectors, and a body wrapper that
//! feeds them as bytes leave.

use std::{
    io,
    pin::Pin,
    task::{Context, Poll},
    time::Instant,
};

use actix_web::web::Bytes;
use futures_util::Stream;
use prometheus::{HistogramOpts, HistogramVec, IntCounterVec, IntGauge, IntGaugeVec, Opts, Registry};

/// Counters and gauges of streaming, labelled by `backend`
/// (`local`, `remote`, `transcode`).
#[derive(Clone)]
pub struct StreamMetrics {
    bytes_sent: IntCounterVec,
    active_streams: IntGaugeVec,
    pub active_transcodes: IntGauge,
    origin_errors: IntCounterVec,
    first_byte: HistogramVec,
    /// The series of each backend, looked up once: finding a labelled
    /// series hashes the labels under a lock, three times per request.
    backends: [(&'static str, Series); 3],
}

/// The series of one backend.
#[derive(Clone)]
struct Series {
    bytes: prometheus::IntCounter,
    active: IntGauge,
    first_byte: prometheus::Histogram,
}

impl StreamMetrics {
    /// Creates the collectors and registers them on `registry`.
    pub fn register(registry: &Registry) -> anyhow::Result<Self> {
        let (bytes_sent, active_streams, first_byte) = (
            IntCounterVec::new(
                Opts::new("stream_bytes_sent_total", "Song bytes handed to clients"),
                &["backend"],
            )?,
            IntGaugeVec::new(
                Opts::new("stream_active_streams", "Song bodies being sent now"),
                &["backend"],
            )?,
            HistogramVec::new(
                HistogramOpts::new(
                    "stream_time_to_first_byte_seconds",
                    "From the request to the first body byte ready to send",
                )
                .buckets(vec![
                    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
                ]),
                &["backend"],
            )?,
        );
        let series = |backend: &'static str| {
            (
                backend,
                Series {
                    bytes: bytes_sent.with_label_values(&[backend]),
                    active: active_streams.with_label_values(&[backend]),
                    first_byte: first_byte.with_label_values(&[backend]),
                },
            )
        };
        let backends = [series("local"), series("remote"), series("transcode")];
        let metrics = Self {
            bytes_sent,
            active_streams,
            active_transcodes: IntGauge::new("stream_active_transcodes", "ffmpeg processes running now")?,
            origin_errors: IntCounterVec::new(
                Opts::new(
                    "stream_origin_errors_total",
                    "Failures of remote origins, by kind",
                ),
                &["kind"],
            )?,
            first_byte,
            backends,
        };
        registry.register(Box::new(metrics.bytes_sent.clone()))?;
        registry.register(Box::new(metrics.active_streams.clone()))?;
        registry.register(Box::new(metrics.active_transcodes.clone()))?;
        registry.register(Box::new(metrics.origin_errors.clone()))?;
        registry.register(Box::new(metrics.first_byte.clone()))?;
        Ok(metrics)
    }

    /// Counts one origin failure (`status`, `timeout`, `connect`, `refused`...).
    pub fn origin_error(&self, kind: &str) {
        self.origin_errors.with_label_values(&[kind]).inc();
    }

    /// Wraps a body so its bytes, its lifetime and its first byte are measured.
    pub fn meter<S>(&self, backend: &'static str, started: Instant, inner: S) -> Metered<S> {
        let series = match self.backends.iter().find(|(name, _)| *name == backend) {
            Some((_, series)) => series.clone(),
            None => Series {
                bytes: self.bytes_sent.with_label_values(&[backend]),
                active: self.active_streams.with_label_values(&[backend]),
                first_byte: self.first_byte.with_label_values(&[backend]),
            },
        };
        series.active.inc();
        Metered {
            inner,
            bytes: series.bytes,
            first_byte: Some((started, series.first_byte)),
            active: series.active,
        }
    }
}

/// A body stream that reports to [`StreamMetrics`]; dropping it (the
/// client went away or the body ended) lowers the active gauge.
pub struct Metered<S> {
    inner: S,
    bytes: prometheus::IntCounter,
    first_byte: Option<(Instant, prometheus::Histogram)>,
    active: IntGauge,
}

impl<S> Stream for Metered<S>
where
    S: Stream<Item = Result<Bytes, io::Error>> + Unpin,
{
    type Item = Result<Bytes, io::Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.inner).poll_next(cx);
        if let Poll::Ready(Some(Ok(chunk))) = &polled {
            if let Some((started, histogram)) = this.first_byte.take() {
                histogram.observe(started.elapsed().as_secs_f64());
            }
            this.bytes.inc_by(chunk.len() as u64);
        }
        polled
    }
}

impl<S> Drop for Metered<S> {
    fn drop(&mut self) {
        self.active.dec();
    }
}
