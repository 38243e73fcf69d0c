//! A private tansu broker for tests that stop or kill it (never the shared
//! one).

use std::{
    fs::File,
    path::{Path, PathBuf},
    process::{Child, Command},
    time::{Duration, Instant},
};

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

/// A file opened for appending, for a child process's output.
pub fn log_file(path: &Path) -> File {
    File::options()
        .create(true)
        .append(true)
        .open(path)
        .expect("log file")
}

/// A tansu process with an SQLite store in a temp dir of its own (kept with
/// its log when `TONEARM_KEEP_BROKER` is set).
pub struct PrivateBroker {
    pub port: u16,
    pub dir: PathBuf,
    child: Option<Child>,
}

impl PrivateBroker {
    /// Starts tansu on a free port and waits until it listens.
    pub fn start() -> Self {
        let dir = std::env::temp_dir().join(format!("tonearm-tansu-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).expect("broker dir");
        let mut broker = Self {
            port: super::free_port(),
            dir,
            child: None,
        };
        broker.resume();
        broker
    }

    /// The `TONEARM_KAFKA_BROKERS` value that reaches it.
    pub fn brokers(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// Starts the process again on the same port and store.
    pub fn resume(&mut self) {
        let url = format!("tcp://127.0.0.1:{}", self.port);
        let log = log_file(&self.dir.join("tansu.log"));
        let child = Command::new(tansu())
            .args(crate::dev_servers::tansu_broker_args(&url))
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
