//! The five Tonearm services started as processes, each with its log under
//! `.tonearm/logs/` (or the run's own log folder), waited on until every
//! `/readyz` answers 200.

use std::{
    path::PathBuf,
    process::Command,
    time::{Duration, Instant},
};

use crate::{Result, deps::Endpoints, http, paths, process, process::Managed};

/// The services, in start order (the gateway last, since it checks the others).
pub const SERVICES: [&str; 5] = [
    "catalog-service",
    "stream-service",
    "events-service",
    "stats-consumer",
    "gateway",
];

/// The services' ports, defaults included, as `common` defines them.
#[path = "../../common/src/ports.rs"]
mod ports;
pub use ports::Ports;

impl Ports {
    /// Free ports, for a system that must not clash with a running one.
    pub fn free() -> Result<Self> {
        Ok(Self {
            gateway: process::free_port()?,
            catalog: process::free_port()?,
            stream: process::free_port()?,
            events: process::free_port()?,
            stats: process::free_port()?,
            events_ws: process::free_port()?,
        })
    }

    fn of(&self, service: &str) -> u16 {
        match service {
            "catalog-service" => self.catalog,
            "stream-service" => self.stream,
            "events-service" => self.events,
            "stats-consumer" => self.stats,
            _ => self.gateway,
        }
    }
}

/// Everything that differs between two systems on one machine.
pub struct SystemConfig {
    pub endpoints: Endpoints,
    pub ports: Ports,
    pub database_schema: String,
    pub redis_prefix: String,
    pub events_topic: String,
    pub music_dirs: Vec<PathBuf>,
    pub log_dir: PathBuf,
    pub build: Build,
    /// Further `TONEARM_*` settings (admin password, fetch allow-list...).
    pub extra_env: Vec<(String, String)>,
}

impl SystemConfig {
    fn env(&self) -> Vec<(String, String)> {
        let url = |port: u16| format!("http://127.0.0.1:{port}");
        let music = self
            .music_dirs
            .iter()
            .map(|dir| dir.display().to_string())
            .collect::<Vec<_>>()
            .join(",");
        let mut env = self.endpoints.env();
        env.extend(
            [
                ("TONEARM_GATEWAY_PORT", self.ports.gateway.to_string()),
                ("TONEARM_CATALOG_PORT", self.ports.catalog.to_string()),
                ("TONEARM_STREAM_PORT", self.ports.stream.to_string()),
                ("TONEARM_EVENTS_PORT", self.ports.events.to_string()),
                ("TONEARM_STATS_PORT", self.ports.stats.to_string()),
                ("TONEARM_EVENTS_WS_PORT", self.ports.events_ws.to_string()),
                ("TONEARM_CATALOG_URL", url(self.ports.catalog)),
                ("TONEARM_STREAM_URL", url(self.ports.stream)),
                ("TONEARM_EVENTS_URL", url(self.ports.events)),
                (
                    "TONEARM_EVENTS_WS_URL",
                    format!("ws://127.0.0.1:{}", self.ports.events_ws),
                ),
                ("TONEARM_DATABASE_SCHEMA", self.database_schema.clone()),
                ("TONEARM_REDIS_PREFIX", self.redis_prefix.clone()),
                ("TONEARM_EVENTS_TOPIC", self.events_topic.clone()),
                ("TONEARM_MUSIC_DIRS", music),
                (
                    "TONEARM_WEB_DIR",
                    paths::root().join("web").join("dist").display().to_string(),
                ),
                ("TONEARM_LOG_FORMAT", "json".into()),
            ]
            .map(|(name, value)| (name.to_owned(), value)),
        );
        env.extend(self.extra_env.iter().cloned());
        env
    }
}

/// How the service binaries are compiled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Build {
    /// `cargo build --workspace --bins` (`--release` for benchmarks).
    Debug,
    Release,
    /// `cargo test --workspace --no-run`: the binaries the test build made
    /// already, with the same feature set, so `cargo xtask test` compiles
    /// nothing twice.
    AsTested,
}

/// Compiles the service binaries into the shared target folder.
pub fn build(build: Build) -> Result {
    let mut command = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    command.env("CARGO_TARGET_DIR", paths::target());
    match build {
        Build::Debug => command.args(["build", "--workspace", "--bins"]),
        Build::Release => command.args(["build", "--workspace", "--bins", "--release"]),
        Build::AsTested => command.args(["test", "--workspace", "--no-run"]),
    };
    process::run("building the services", command.current_dir(paths::root()))
}

/// Where [`build`] puts a service's binary.
pub fn binary(build: Build, service: &str) -> PathBuf {
    let profile = if build == Build::Release {
        "release"
    } else {
        "debug"
    };
    paths::target().join(profile).join(service)
}

/// A service that exited on its own.
pub struct Crash {
    pub index: usize,
    pub name: String,
    /// `"<name> exited (<status>)"`.
    pub what: String,
    /// How long it had run.
    pub uptime: Duration,
    pub log: PathBuf,
}

/// The running services; stopped (gateway first) when dropped.
pub struct System {
    pub ports: Ports,
    services: Vec<Managed>,
    log_dir: PathBuf,
}

impl System {
    /// Starts the built binaries.
    pub fn start(config: &SystemConfig) -> Result<Self> {
        let env = config.env();
        let mut services = Vec::new();
        for service in SERVICES {
            let mut command = Command::new(binary(config.build, service));
            command
                .envs(env.iter().map(|(k, v)| (k, v)))
                .current_dir(paths::root());
            let log = config.log_dir.join(format!("{service}.log"));
            services.push(Managed::spawn(service, command, &log)?);
        }
        Ok(Self {
            ports: config.ports,
            services,
            log_dir: config.log_dir.clone(),
        })
    }

    /// Polls every `/readyz` until all answer 200, a service exits, or the
    /// timeout passes (then the failing answers are in the error).
    pub fn wait_ready(&mut self, timeout: Duration) -> Result {
        let deadline = Instant::now() + timeout;
        let interrupted = process::interrupted();
        loop {
            if interrupted.load(std::sync::atomic::Ordering::SeqCst) {
                return Err("interrupted".into());
            }
            for managed in &mut self.services {
                if let Some(status) = managed.exited() {
                    return Err(format!(
                        "{} exited ({status}); see {}",
                        managed.name,
                        self.log_dir.join(format!("{}.log", managed.name)).display()
                    ));
                }
            }
            let not_ready: Vec<String> = SERVICES
                .iter()
                .filter_map(|service| match http::get(self.ports.of(service), "/readyz") {
                    Ok(response) if response.status == 200 => None,
                    Ok(response) => Some(format!("{service}: {} {}", response.status, response.body)),
                    Err(error) => Some(format!("{service}: {error}")),
                })
                .collect();
            if not_ready.is_empty() {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(format!(
                    "not ready after {} s:\n  {}\nlogs: {}",
                    timeout.as_secs(),
                    not_ready.join("\n  "),
                    self.log_dir.display()
                ));
            }
            std::thread::sleep(Duration::from_millis(300));
        }
    }

    /// The first service that has exited, if any.
    pub fn first_exited(&mut self) -> Option<Crash> {
        self.services.iter_mut().enumerate().find_map(|(index, managed)| {
            managed.exited().map(|status| Crash {
                index,
                name: managed.name.clone(),
                what: format!("{} exited ({status})", managed.name),
                uptime: managed.uptime(),
                log: managed.log().to_owned(),
            })
        })
    }

    /// Starts an exited service again, with the same command and log.
    pub fn restart(&mut self, index: usize) -> Result {
        match self.services.get_mut(index) {
            Some(managed) => managed.restart(),
            None => Err(format!("no service number {index}")),
        }
    }

    /// Stops every service (gateway first); returns those that did not
    /// exit cleanly with status 0.
    pub fn stop(&mut self) -> Vec<String> {
        let mut unclean = Vec::new();
        while let Some(mut managed) = self.services.pop() {
            let how = managed.stop(Duration::from_secs(35));
            eprintln!("xtask: stopped {} ({how})", managed.name);
            if how != "exit status: 0" {
                unclean.push(format!("{}: {how}", managed.name));
            }
        }
        unclean
    }
}

impl System {
    /// SIGKILLs `service` of this system (the scale-out test's crash).
    pub fn kill(&mut self, service: &str) -> Result {
        self.services
            .iter_mut()
            .find(|managed| managed.name == service)
            .ok_or_else(|| format!("no service {service}"))?
            .kill()
    }
}

impl Drop for System {
    fn drop(&mut self) {
        let _ = self.stop();
    }
}

/// 32 random hex characters from the kernel.
pub fn random_hex() -> Result<String> {
    use std::io::Read as _;
    let mut bytes = [0u8; 16];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut file| file.read_exact(&mut bytes))
        .map_err(|e| format!("reading /dev/urandom: {e}"))?;
    Ok(bytes.iter().map(|byte| format!("{byte:02x}")).collect())
}
