//! A private tansu broker for tests that kill it (never the shared one),
//! and stats-consumer processes that a test can kill as a crash would.

use std::{
    net::TcpListener,
    path::PathBuf,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use common::Settings;
use stats_consumer::settings::StatsSettings;

/// `TONEARM_TANSU_BIN`, else where xtask installs tansu, else `PATH`.
fn tansu() -> PathBuf {
    if let Some(path) = std::env::var_os("TONEARM_TANSU_BIN") {
        return PathBuf::from(path);
    }
    let cached = std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_default()
        .join(".cache/tonearm/tools/bin/tansu");
    if cached.is_file() {
        cached
    } else {
        PathBuf::from("tansu")
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .expect("a free port")
        .local_addr()
        .expect("address")
        .port()
}

fn log_file(path: &std::path::Path) -> std::fs::File {
    std::fs::File::options()
        .create(true)
        .append(true)
        .open(path)
        .expect("log file")
}

pub struct PrivateBroker {
    pub port: u16,
    pub dir: PathBuf,
    child: Option<Child>,
}

impl PrivateBroker {
    /// Starts tansu with an SQLite store in a fresh temp dir, on a free port.
    pub fn start() -> Self {
        let dir = std::env::temp_dir().join(format!("tonearm-tansu-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).expect("broker dir");
        let mut broker = Self {
            port: free_port(),
            dir,
            child: None,
        };
        broker.resume();
        broker
    }

    pub fn brokers(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// Starts the process again on the same port and store.
    pub fn resume(&mut self) {
        let url = format!("tcp://127.0.0.1:{}", self.port);
        let log = log_file(&self.dir.join("tansu.log"));
        let child = Command::new(tansu())
            .args([
                "broker",
                "--listener-url",
                &url,
                "--advertised-listener-url",
                &url,
                "--storage-engine",
                "sqlite://tansu.db",
            ])
            .current_dir(&self.dir)
            .stdout(log.try_clone().expect("log"))
            .stderr(log)
            .spawn()
            .expect("tansu starts");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(Instant::now() < deadline, "tansu did not listen");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// SIGKILL, as a crash or an OOM kill would (the store stays).
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for PrivateBroker {
    fn drop(&mut self) {
        self.kill();
        if std::env::var_os("TONEARM_KEEP_BROKER").is_some() {
            eprintln!("broker store and log kept in {}", self.dir.display());
        } else {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

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
