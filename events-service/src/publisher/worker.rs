//! The producer thread: moves events from the in-memory queue to Kafka,
//! through the spool whenever the broker does not keep up.

use std::{
    sync::{
        Arc, Mutex,
        atomic::Ordering,
        mpsc::{Receiver, RecvTimeoutError},
    },
    time::{Duration, Instant},
};

use anyhow::Context as _;
use common::{events::REQUEST_ID_HEADER, settings::KafkaSettings};
use rdkafka::{
    ClientContext,
    message::{Header, Headers as _, Message as _, OwnedHeaders},
    producer::{BaseProducer, BaseRecord, DeliveryResult, Producer as _, ProducerContext, PurgeConfig},
};

use super::{PublisherMetrics, Shared, spool::Record, spool::Spool};

/// Collects deliveries; runs inside `poll`, on the producer thread.
#[derive(Default)]
pub struct DeliveryContext {
    failed: Mutex<Vec<Record>>,
    delivered: std::sync::atomic::AtomicU64,
}

impl ClientContext for DeliveryContext {}

impl ProducerContext for DeliveryContext {
    type DeliveryOpaque = ();

    fn delivery(&self, result: &DeliveryResult<'_>, _: ()) {
        match result {
            Ok(_) => {
                self.delivered.fetch_add(1, Ordering::Relaxed);
            }
            Err((error, message)) => {
                tracing::debug!(%error, "event delivery failed; it goes back to the spool");
                let record = Record {
                    key: String::from_utf8_lossy(message.key().unwrap_or_default()).into_owned(),
                    request_id: message.headers().and_then(|headers| {
                        headers
                            .iter()
                            .find(|header| header.key == REQUEST_ID_HEADER)
                            .and_then(|header| header.value)
                            .map(|value| String::from_utf8_lossy(value).into_owned())
                    }),
                    payload: message.payload().unwrap_or_default().to_vec(),
                };
                if let Ok(mut failed) = self.failed.lock() {
                    failed.push(record);
                }
            }
        }
    }
}

/// The idempotent producer: acks from all replicas, the client retries in
/// order and the broker drops duplicates, and no local timeout gives up on
/// an event while the broker is away.
pub fn create_producer(kafka: &KafkaSettings) -> anyhow::Result<BaseProducer<DeliveryContext>> {
    common::kafka::client_config(kafka)
        .set("enable.idempotence", "true")
        .set("acks", "all")
        .set("message.timeout.ms", "0")
        .set("linger.ms", "5")
        .set("compression.type", "lz4")
        .set("queue.buffering.max.messages", "1000000")
        .create_with_context(DeliveryContext::default())
        .context("creating the Kafka producer")
}

pub struct Worker {
    producer: BaseProducer<DeliveryContext>,
    spool: Spool,
    topic: String,
    inflight_max: usize,
    shared: Arc<Shared>,
    metrics: PublisherMetrics,
    shutdown_timeout: Duration,
    spool_dirty: bool,
}

impl Worker {
    pub fn new(
        producer: BaseProducer<DeliveryContext>,
        spool: Spool,
        topic: String,
        inflight_max: usize,
        shared: Arc<Shared>,
        metrics: PublisherMetrics,
        shutdown_timeout: Duration,
    ) -> Self {
        Self {
            producer,
            spool,
            topic,
            inflight_max,
            shared,
            metrics,
            shutdown_timeout,
            spool_dirty: true,
        }
    }

    /// Runs until every queue handle is dropped, then flushes.
    pub fn run(mut self, rx: Receiver<Record>) {
        loop {
            let wait = if self.spool.is_empty() { 20 } else { 2 };
            match rx.recv_timeout(Duration::from_millis(wait)) {
                Ok(record) => {
                    self.accept(record);
                    for record in rx.try_iter().take(10_000) {
                        self.accept(record);
                    }
                }
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => break,
            }
            if self.shared.closing.load(Ordering::Relaxed) {
                for record in rx.try_iter() {
                    self.accept(record);
                }
                break;
            }
            self.step();
        }
        self.shutdown();
    }

    fn inflight(&self) -> usize {
        usize::try_from(self.producer.in_flight_count()).unwrap_or(0)
    }

    fn accept(&mut self, record: Record) {
        if self.spool.is_empty() && self.inflight() < self.inflight_max {
            if let Err(record) = self.send(record) {
                self.spool_record(&record);
            }
        } else {
            self.spool_record(&record);
        }
    }

    fn spool_record(&mut self, record: &Record) {
        self.spool.append(record);
        self.spool_dirty = true;
        self.metrics.spooled.inc();
    }

    fn send(&self, record: Record) -> Result<(), Record> {
        let mut headers = OwnedHeaders::new();
        if let Some(id) = &record.request_id {
            headers = headers.insert(Header {
                key: REQUEST_ID_HEADER,
                value: Some(id.as_str()),
            });
        }
        let base = BaseRecord::to(&self.topic)
            .key(&record.key)
            .payload(&record.payload)
            .headers(headers);
        match self.producer.send(base) {
            Ok(()) => Ok(()),
            Err(_) => Err(record),
        }
    }

    /// Syncs the spool, sends from it, serves delivery reports.
    fn step(&mut self) {
        if let Err(error) = self.spool.sync() {
            tracing::error!(error = format!("{error:#}"), "cannot write the event spool");
        }
        self.drain_spool();
        self.producer.poll(Duration::ZERO);
        let failed = self.take_failed();
        self.metrics.delivery_errors.inc_by(failed.len() as u64);
        for record in &failed {
            self.spool_record(record);
        }
        if self.spool_dirty && self.inflight() == 0 {
            match self.spool.checkpoint() {
                Ok(()) => self.spool_dirty = false,
                Err(error) => tracing::error!(error = format!("{error:#}"), "cannot checkpoint the spool"),
            }
        }
        self.report();
    }

    fn drain_spool(&mut self) {
        while self.inflight() < self.inflight_max {
            let (record, next) = match self.spool.peek() {
                Ok(Some(found)) => found,
                Ok(None) => return,
                Err(error) => {
                    tracing::error!(error = format!("{error:#}"), "cannot read the event spool");
                    return;
                }
            };
            if self.send(record).is_err() {
                return;
            }
            self.spool.advance(next);
            self.spool_dirty = true;
        }
    }

    fn take_failed(&self) -> Vec<Record> {
        self.producer
            .context()
            .failed
            .lock()
            .map(|mut failed| std::mem::take(&mut *failed))
            .unwrap_or_default()
    }

    fn report(&self) {
        let delivered = self.producer.context().delivered.swap(0, Ordering::Relaxed);
        self.metrics.delivered.inc_by(delivered);
        let full = self.spool.is_full();
        self.shared.spool_full.store(full, Ordering::Relaxed);
        self.metrics.spool_full.set(i64::from(full));
        self.metrics
            .spool_bytes
            .set(i64::try_from(self.spool.bytes()).unwrap_or(i64::MAX));
        self.metrics
            .inflight
            .set(i64::try_from(self.inflight()).unwrap_or(i64::MAX));
    }

    /// Sends what it can within the shutdown timeout; what the broker has
    /// not acknowledged by then goes back to the front of the spool, to be
    /// sent by the next start.
    fn shutdown(mut self) {
        let deadline = Instant::now() + self.shutdown_timeout.min(Duration::from_secs(10));
        while (!self.spool.is_empty() || self.inflight() > 0) && Instant::now() < deadline {
            self.step();
            self.producer.poll(Duration::from_millis(10));
        }
        self.producer.purge(PurgeConfig::default().queue().inflight());
        self.producer.poll(Duration::from_millis(100));
        let failed = self.take_failed();
        if !failed.is_empty() {
            tracing::warn!(
                events = failed.len(),
                "unsent events kept in the spool for the next start"
            );
        }
        if let Err(error) = self.spool.prepend(&failed).and_then(|()| self.spool.sync()) {
            tracing::error!(
                error = format!("{error:#}"),
                "cannot save unsent events to the spool"
            );
        }
        let _ = self.spool.checkpoint();
        self.report();
    }
}
