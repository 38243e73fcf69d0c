//! Expires sessions that stopped sending events (a dead events-service
//! instance sends no `disconnected`): they leave the online set and their
//! song's listeners. Readers also count only the presence window, so the
//! figures are right between sweeps.
//!
//! Replicas take turns: only the holder of the lease
//! `{prefix}lease:presence-sweeper` sweeps. It keeps the lease while it
//! runs and frees it when it stops; if it dies, another replica takes the
//! lease once it expires (three sweep intervals, at least a second).

use std::{sync::Arc, time::Duration};

use common::{
    lease::{Lease, LeaseGuard},
    redis_conn::LazyRedis,
    stats_keys::StatsKeys,
};
use tokio::sync::watch;

use crate::{fold::Folder, metrics::ConsumerMetrics};

pub async fn run(
    redis: Arc<LazyRedis>,
    keys: StatsKeys,
    window: Duration,
    every: Duration,
    metrics: ConsumerMetrics,
    mut stop: watch::Receiver<bool>,
) {
    let folder = Folder::default();
    let lease = Lease::new(
        Arc::clone(&redis),
        keys.sweeper_lease(),
        (every * 3).max(Duration::from_secs(1)),
    );
    let mut held: Option<LeaseGuard> = None;
    let mut interval = tokio::time::interval(every);
    loop {
        tokio::select! {
            _ = stop.wait_for(|stop| *stop) => break,
            _ = interval.tick() => {}
        }
        if !held.as_ref().is_some_and(LeaseGuard::is_held) {
            held = match lease.try_acquire().await {
                Ok(guard) => guard,
                Err(error) => {
                    tracing::debug!(%error, "asking for the sweeper lease failed; retrying next time");
                    None
                }
            };
        }
        if held.is_none() {
            continue;
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
            }
        }
    }
    if let Some(guard) = held
        && let Err(error) = guard.release().await
    {
        tracing::debug!(%error, "freeing the sweeper lease failed; it expires by itself");
    }
}

#[cfg(test)]
mod tests {
    //! Two sweepers on one Redis prefix, as two replicas run them.

    use super::*;

    struct Sweeper {
        metrics: ConsumerMetrics,
        stop: watch::Sender<bool>,
        task: tokio::task::JoinHandle<()>,
    }

    fn start(redis: &Arc<LazyRedis>, keys: &StatsKeys) -> Sweeper {
        let registry = prometheus::Registry::new();
        let metrics = ConsumerMetrics::register(&registry).expect("metrics");
        let (stop, stop_rx) = watch::channel(false);
        let task = tokio::spawn(run(
            Arc::clone(redis),
            keys.clone(),
            Duration::from_secs(60),
            Duration::from_millis(50),
            metrics.clone(),
            stop_rx,
        ));
        Sweeper { metrics, stop, task }
    }

    /// Adds `count` sessions last seen ten minutes ago, and waits until
    /// they are swept.
    async fn stale_sessions_swept(redis: &LazyRedis, keys: &StatsKeys, tag: &str, count: u64) {
        let mut connection = redis.get().await.expect("redis");
        let old = chrono::Utc::now().timestamp_millis() - 600_000;
        for n in 0..count {
            let _: () = redis::cmd("ZADD")
                .arg(keys.presence())
                .arg(old)
                .arg(format!("{tag}-{n}"))
                .query_async(&mut connection)
                .await
                .expect("ZADD");
        }
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        loop {
            let left: u64 = redis::cmd("ZCARD")
                .arg(keys.presence())
                .query_async(&mut connection)
                .await
                .expect("ZCARD");
            if left == 0 {
                return;
            }
            assert!(std::time::Instant::now() < deadline, "not swept");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    #[tokio::test]
    async fn of_two_sweepers_one_sweeps_and_the_other_takes_over_when_it_stops() {
        let settings = common::Settings::load().expect("settings");
        let client = common::redis_client::client(&settings.redis).expect("client");
        let redis = Arc::new(LazyRedis::new(client));
        let keys = StatsKeys::new(format!("test:{}:", uuid::Uuid::new_v4().simple()));
        let (a, b) = (start(&redis, &keys), start(&redis, &keys));
        for round in 0..5 {
            stale_sessions_swept(&redis, &keys, &format!("r{round}"), 3).await;
        }
        let (swept_a, swept_b) = (a.metrics.expired.get(), b.metrics.expired.get());
        assert_eq!(swept_a + swept_b, 15);
        assert!(
            swept_a == 0 || swept_b == 0,
            "both swept: {swept_a} and {swept_b}"
        );
        let (first, second) = if swept_a > 0 { (a, b) } else { (b, a) };
        first.stop.send(true).expect("stop");
        first.task.await.expect("stopped");
        stale_sessions_swept(&redis, &keys, "after", 4).await;
        assert_eq!(second.metrics.expired.get(), 4, "the other replica took over");
        second.stop.send(true).expect("stop");
        second.task.await.expect("stopped");
    }
}
