//! Expires sessions that stopped sending events (a dead events-service
//! instance sends no `disconnected`): they leave the online set and their
//! song's listeners. Readers also count only the presence window, so the
//! figures are right between sweeps.

use std::{sync::Arc, time::Duration};

use common::events::StatsKeys;
use tokio::sync::watch;

use crate::{fold::Folder, metrics::ConsumerMetrics, redis_conn::LazyRedis};

pub async fn run(
    redis: Arc<LazyRedis>,
    keys: StatsKeys,
    window: Duration,
    every: Duration,
    metrics: ConsumerMetrics,
    mut stop: watch::Receiver<bool>,
) {
    let folder = Folder::default();
    let mut interval = tokio::time::interval(every);
    loop {
        tokio::select! {
            _ = stop.wait_for(|stop| *stop) => return,
            _ = interval.tick() => {}
        }
        let cutoff =
            chrono::Utc::now().timestamp_millis() - i64::try_from(window.as_millis()).unwrap_or(i64::MAX);
        let Ok(mut connection) = redis.get().await else {
            continue;
        };
        match folder.sweep(&mut connection, &keys, cutoff).await {
            Ok(expired) => metrics.expired.inc_by(expired),
            Err(error) => {
                tracing::debug!(%error, "sweep failed; retrying next time");
                redis.reset().await;
            }
        }
    }
}
