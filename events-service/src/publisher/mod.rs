//! Player events to Kafka without ever blocking a socket.
//!
//! Sockets hand events to a bounded in-memory queue (`try_send`, never
//! waiting). One producer thread owns an idempotent Kafka producer
//! (`enable.idempotence=true`, `acks=all`, no delivery timeout, so the
//! client itself retries in order without duplicates) and the on-disk
//! spool. While fewer than `inflight_max` events await acknowledgement and
//! the spool is empty, events go straight to the producer; otherwise (the
//! broker is away or slow) they are appended to the spool, and sent from
//! there, in order, once the producer has room again.

mod metrics;
mod private_files;
pub mod spool;
mod worker;

use std::{
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
        mpsc::{SyncSender, TrySendError, sync_channel},
    },
    thread::JoinHandle,
};

use anyhow::Context as _;
use common::{health::DependencyCheck, settings::KafkaSettings};
use futures_util::future::BoxFuture;

pub use self::metrics::PublisherMetrics;
use self::spool::{Record, Spool};
use crate::settings::EventsSettings;

/// Why an event was not accepted; the client is told.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PublishError {
    #[error("too many events are waiting to be stored; try again shortly")]
    QueueFull,
    #[error("the broker is unreachable and the local spool is full; events are not accepted")]
    SpoolFull,
    #[error("the service is shutting down")]
    Closed,
}

impl PublishError {
    pub fn code(self) -> &'static str {
        match self {
            Self::QueueFull => "overloaded",
            Self::SpoolFull => "events_unavailable",
            Self::Closed => "shutting_down",
        }
    }
}

/// State shared between the producer thread and the sockets.
#[derive(Default)]
pub(crate) struct Shared {
    spool_full: AtomicBool,
    closing: AtomicBool,
}

/// A cloneable handle sockets use to publish events.
#[derive(Clone)]
pub struct Publisher {
    tx: SyncSender<Record>,
    shared: Arc<Shared>,
    metrics: PublisherMetrics,
}

/// The producer thread; stop it with [`PublisherThread::join`] after every
/// [`Publisher`] handle is dropped.
pub struct PublisherThread(JoinHandle<()>);

impl PublisherThread {
    /// Waits for the thread to flush (within `timeout`) and stop.
    pub fn join(self) {
        if self.0.join().is_err() {
            tracing::error!("the event producer thread panicked");
        }
    }
}

impl Publisher {
    /// Opens the spool and starts the producer thread.
    pub fn start(
        kafka: &KafkaSettings,
        settings: &EventsSettings,
        metrics: PublisherMetrics,
        shutdown_timeout: std::time::Duration,
    ) -> anyhow::Result<(Self, PublisherThread)> {
        let spool = Spool::open(&settings.spool_dir, settings.spool_max_bytes)?;
        let producer = worker::create_producer(kafka)?;
        let (tx, rx) = sync_channel(settings.queue_capacity);
        let shared = Arc::new(Shared::default());
        let worker = worker::Worker::new(
            producer,
            spool,
            kafka.events_topic.clone(),
            settings.inflight_max,
            Arc::clone(&shared),
            metrics.clone(),
            shutdown_timeout,
        );
        let thread = std::thread::Builder::new()
            .name("event-producer".into())
            .spawn(move || worker.run(rx))
            .context("starting the event producer thread")?;
        Ok((Self { tx, shared, metrics }, PublisherThread(thread)))
    }

    /// Asks the producer thread to send what it holds and stop.
    pub fn close(&self) {
        self.shared.closing.store(true, Ordering::Relaxed);
    }

    /// Queues one event without waiting.
    pub fn publish(&self, record: Record) -> Result<(), PublishError> {
        if self.shared.closing.load(Ordering::Relaxed) {
            return Err(PublishError::Closed);
        }
        if self.shared.spool_full.load(Ordering::Relaxed) {
            self.metrics.rejected.with_label_values(&["spool_full"]).inc();
            return Err(PublishError::SpoolFull);
        }
        match self.tx.try_send(record) {
            Ok(()) => {
                self.metrics.accepted.inc();
                Ok(())
            }
            Err(TrySendError::Full(_)) => {
                self.metrics.rejected.with_label_values(&["queue_full"]).inc();
                Err(PublishError::QueueFull)
            }
            Err(TrySendError::Disconnected(_)) => Err(PublishError::Closed),
        }
    }

    /// True while the spool refuses new events.
    pub fn spool_full(&self) -> bool {
        self.shared.spool_full.load(Ordering::Relaxed)
    }

    /// A `/readyz` check that fails while the spool is full.
    pub fn readiness(&self) -> SpoolCheck {
        SpoolCheck(Arc::clone(&self.shared))
    }
}

/// `/readyz` entry `spool`: not ready while events cannot be accepted.
pub struct SpoolCheck(Arc<Shared>);

impl DependencyCheck for SpoolCheck {
    fn name(&self) -> &str {
        "spool"
    }

    fn check(&self) -> BoxFuture<'_, Result<(), String>> {
        let full = self.0.spool_full.load(Ordering::Relaxed);
        Box::pin(async move {
            if full {
                Err("the event spool is full; new events are refused until the broker returns".into())
            } else {
                Ok(())
            }
        })
    }
}
