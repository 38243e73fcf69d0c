//! stats-consumer processes that a test can kill as a crash would.

use std::{
    path::PathBuf,
    process::{Child, Command, Stdio},
};

use common::{Settings, test_support::broker::log_file};
use stats_consumer::settings::StatsSettings;

/// A stats-consumer process with the settings of a test; killed (SIGKILL)
/// when dropped.
pub struct ConsumerProcess {
    child: Child,
}

impl ConsumerProcess {
    /// Runs the built binary (`TONEARM_STATS_CONSUMER_BIN` when set), logging
    /// to `log`.
    pub fn start(settings: &Settings, stats: &StatsSettings, log: &std::path::Path) -> Self {
        let file = log_file(log);
        let binary = std::env::var_os("TONEARM_STATS_CONSUMER_BIN").map_or_else(
            || PathBuf::from(env!("CARGO_BIN_EXE_stats-consumer")),
            PathBuf::from,
        );
        let child = Command::new(binary)
            .env("TONEARM_KAFKA_BROKERS", &settings.kafka.brokers)
            .env("TONEARM_EVENTS_TOPIC", &settings.kafka.events_topic)
            .env("TONEARM_REDIS_URL", &settings.redis.url)
            .env("TONEARM_REDIS_PREFIX", &settings.redis.prefix)
            .env("TONEARM_STATS_GROUP", &stats.group)
            .env("TONEARM_STATS_PORT", "0")
            .env(
                "TONEARM_STATS_BATCH_WAIT_MS",
                stats.batch_wait.as_millis().to_string(),
            )
            .env("TONEARM_STATS_KAFKA_COMMIT", stats.kafka_commit.to_string())
            .env("TONEARM_LOG_FORMAT", "pretty")
            .stdin(Stdio::null())
            .stdout(file.try_clone().expect("log"))
            .stderr(file)
            .spawn()
            .expect("stats-consumer starts");
        Self { child }
    }

    /// SIGKILL: no goodbye to the group, nothing flushed.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for ConsumerProcess {
    fn drop(&mut self) {
        self.kill();
    }
}
