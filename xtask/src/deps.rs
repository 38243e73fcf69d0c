//! PostgreSQL, Redis and the Kafka broker: reused when reachable at the
//! configured addresses, otherwise started privately under `.tonearm/`.

use std::{path::Path, process::Command, time::Duration};

use crate::{
    Result,
    broker::{kafka_answers, round_trip, unix_seconds},
    paths, process,
    process::Managed,
    tools,
};

/// The command lines of the servers, as `common` writes them.
#[path = "../../common/src/dev_servers.rs"]
mod dev_servers;

/// Where the dependencies answer, as the services' settings name them.
#[derive(Debug, Clone)]
pub struct Endpoints {
    pub database_url: String,
    pub redis_url: String,
    pub kafka_brokers: String,
}

impl Endpoints {
    /// From `TONEARM_DATABASE_URL`, `TONEARM_REDIS_URL`,
    /// `TONEARM_KAFKA_BROKERS`, or the services' defaults.
    pub fn configured() -> Self {
        let var = |name: &str, default: &str| std::env::var(name).unwrap_or_else(|_| default.to_owned());
        Self {
            database_url: var(
                "TONEARM_DATABASE_URL",
                "postgres://postgres@127.0.0.1:5432/tonearm",
            ),
            redis_url: var("TONEARM_REDIS_URL", "redis://127.0.0.1:6379"),
            kafka_brokers: var("TONEARM_KAFKA_BROKERS", "127.0.0.1:9092"),
        }
    }

    /// The variables to hand to services and tests.
    pub fn env(&self) -> Vec<(String, String)> {
        vec![
            ("TONEARM_DATABASE_URL".into(), self.database_url.clone()),
            ("TONEARM_REDIS_URL".into(), self.redis_url.clone()),
            ("TONEARM_KAFKA_BROKERS".into(), self.kafka_brokers.clone()),
        ]
    }
}

/// The dependencies, with the ones xtask started (stopped in reverse order
/// when this is dropped).
pub struct Provisioned {
    pub endpoints: Endpoints,
    started: Vec<Managed>,
}

impl Drop for Provisioned {
    fn drop(&mut self) {
        while let Some(mut managed) = self.started.pop() {
            let how = managed.stop(Duration::from_secs(20));
            eprintln!("xtask: stopped {} ({how})", managed.name);
        }
    }
}

/// Makes all three dependencies reachable.
pub fn provision() -> Result<Provisioned> {
    let endpoints = Endpoints::configured();
    let mut provisioned = Provisioned {
        endpoints: endpoints.clone(),
        started: Vec::new(),
    };
    let (pg_host, pg_port) = host_port(&endpoints.database_url, 5432)?;
    if !process::reachable(&format!("{pg_host}:{pg_port}")) {
        provisioned.started.push(start_postgres(pg_port)?);
    }
    ensure_database(&endpoints.database_url)?;
    let (redis_host, redis_port) = host_port(&endpoints.redis_url, 6379)?;
    if !process::reachable(&format!("{redis_host}:{redis_port}")) {
        provisioned.started.push(start_redis(redis_port)?);
    }
    let broker = endpoints
        .kafka_brokers
        .split(',')
        .next()
        .unwrap_or_default()
        .trim()
        .to_owned();
    if process::reachable(&broker) {
        kafka_answers(&broker, Duration::from_secs(10))?;
    } else {
        let (_, port) = host_port(&format!("kafka://{broker}"), 9092)?;
        provisioned.started.push(start_tansu(port)?);
    }
    Ok(provisioned)
}

impl Provisioned {
    /// The first broker of the list.
    fn broker(&self) -> String {
        let brokers = &self.endpoints.kafka_brokers;
        brokers.split(',').next().unwrap_or_default().trim().to_owned()
    }

    /// Checks that the broker stores a record and serves it back, with
    /// `stats-consumer probe` (`probe` is its built binary). A private tansu
    /// that fails has damaged data: it is stopped, its folder moved aside and
    /// a fresh one started, saying so. Another broker is named with the fix.
    pub fn ensure_round_trip(&mut self, probe: &Path) -> Result {
        let Err(why) = round_trip(probe, self.endpoints.env()) else {
            return Ok(());
        };
        let broker = self.broker();
        let Some(index) = self.started.iter().position(|managed| managed.name == "tansu") else {
            return Err(format!(
                "the Kafka broker at {broker} accepts connections but {why}.\n  \
                 Restart it. If it still fails, its data is damaged (a broker killed while writing \
                 can leave it so): stop it, move its data folder aside (for tansu, the folder holding \
                 tansu.db; for this checkout's own tansu, .tonearm/tansu) and start it again, or point \
                 TONEARM_KAFKA_BROKERS at another broker."
            ));
        };
        let mut tansu = self.started.remove(index);
        tansu.stop(Duration::from_secs(10));
        let data = paths::state().join("tansu");
        let aside = paths::state().join(format!("tansu.broken-{}", unix_seconds()));
        std::fs::rename(&data, &aside)
            .map_err(|e| format!("moving {} aside to {}: {e}", data.display(), aside.display()))?;
        eprintln!(
            "xtask: the private broker accepts connections but {why}: its data is damaged (a broker \
             killed while writing can leave it so). Moved it aside to {} and starting a fresh one; the \
             event history starts over (stats-consumer folds the new log on top of the figures kept in \
             Redis; `stats-consumer rebuild` refolds them from the new log alone).",
            aside.display()
        );
        let (_, port) = host_port(&format!("kafka://{broker}"), 9092)?;
        self.started.push(start_tansu(port)?);
        round_trip(probe, self.endpoints.env()).map_err(|why| format!("a fresh broker also fails: {why}"))
    }
}

/// `scheme://user@host:port/path` -> (host, port).
pub fn host_port(url: &str, default_port: u16) -> Result<(String, u16)> {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = rest.split(['/', '?']).next().unwrap_or_default();
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, host)| host);
    match host_port.rsplit_once(':') {
        Some((host, port)) => Ok((
            host.to_owned(),
            port.parse().map_err(|_| format!("bad port in {url:?}"))?,
        )),
        None if !host_port.is_empty() => Ok((host_port.to_owned(), default_port)),
        None => Err(format!("no host in {url:?}")),
    }
}

fn wait_reachable(name: &str, port: u16) -> Result {
    if process::wait_for(Duration::from_secs(60), || {
        process::reachable(&format!("127.0.0.1:{port}"))
    }) {
        Ok(())
    } else {
        Err(format!(
            "{name} did not start on port {port}; see {}",
            paths::logs().join(format!("{name}.log")).display()
        ))
    }
}

/// Runs a PostgreSQL program as the `postgres` user when we are root
/// (PostgreSQL refuses to run as root).
fn postgres_command(program: &Path, data: &Path) -> Result<Command> {
    if !tools::is_root() {
        return Ok(Command::new(program));
    }
    process::run(
        "chown",
        Command::new("chown").args(["-R", "postgres:postgres"]).arg(data),
    )?;
    let mut command = Command::new("runuser");
    command.args(["-u", "postgres", "--"]).arg(program);
    Ok(command)
}

fn start_postgres(port: u16) -> Result<Managed> {
    eprintln!("xtask: no PostgreSQL on port {port}; starting a private one under .tonearm/postgres");
    let data = paths::state().join("postgres");
    std::fs::create_dir_all(&data).map_err(|e| format!("creating {}: {e}", data.display()))?;
    if !data.join("PG_VERSION").exists() {
        let initdb = tools::postgres_program("initdb")?;
        process::run(
            "initdb",
            postgres_command(&initdb, &data)?
                .args(["-U", "postgres", "-A", "trust", "--no-sync", "-D"])
                .arg(&data),
        )?;
    }
    let server = tools::postgres_program("postgres")?;
    let mut command = postgres_command(&server, &data)?;
    command
        .arg("-D")
        .arg(&data)
        .args(["-p", &port.to_string(), "-c", "listen_addresses=127.0.0.1", "-k"])
        .arg(&data);
    let managed = Managed::spawn("postgres", command, &paths::logs().join("postgres.log"))?;
    wait_reachable("postgres", port)?;
    Ok(managed)
}

/// Creates the database named in the URL when it does not exist yet.
fn ensure_database(url: &str) -> Result {
    let psql = tools::debian_program("psql", "postgresql-client", "creating the database")?;
    let (base, query) = url
        .split_once('?')
        .map_or((url, ""), |(base, query)| (base, query));
    let (server, name) = base
        .rsplit_once('/')
        .filter(|(server, _)| server.contains("://") && !server.ends_with('/'))
        .ok_or_else(|| format!("TONEARM_DATABASE_URL {url:?} names no database"))?;
    let maintenance = format!(
        "{server}/postgres{}",
        if query.is_empty() {
            String::new()
        } else {
            format!("?{query}")
        }
    );
    let ready = process::wait_for(Duration::from_secs(30), || {
        Command::new(&psql)
            .args([&maintenance, "-tAc", "SELECT 1"])
            .output()
            .is_ok_and(|output| output.status.success())
    });
    if !ready {
        return Err(format!("PostgreSQL at {server} does not accept connections"));
    }
    let exists = process::output(
        "psql",
        Command::new(&psql).args([
            &maintenance,
            "-tAc",
            &format!(
                "SELECT 1 FROM pg_database WHERE datname = '{}'",
                name.replace('\'', "''")
            ),
        ]),
    )?;
    if exists.trim() != "1" {
        process::run(
            "creating the database",
            Command::new(&psql).args([
                &maintenance,
                "-qc",
                &format!("CREATE DATABASE \"{}\"", name.replace('"', "\"\"")),
            ]),
        )?;
        eprintln!("xtask: created database {name}");
    }
    Ok(())
}

fn start_redis(port: u16) -> Result<Managed> {
    eprintln!("xtask: no Redis on port {port}; starting a private one");
    let redis = tools::debian_program("redis-server", "redis-server", "a private Redis server")?;
    let dir = paths::state().join("redis");
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let mut command = Command::new(redis);
    command
        .args(["--port", &port.to_string()])
        .args(dev_servers::REDIS_NOTHING_KEPT)
        .arg("--dir")
        .arg(&dir);
    let managed = Managed::spawn("redis", command, &paths::logs().join("redis.log"))?;
    wait_reachable("redis", port)?;
    Ok(managed)
}

fn start_tansu(port: u16) -> Result<Managed> {
    eprintln!("xtask: no Kafka broker on port {port}; starting tansu (SQLite engine) under .tonearm/tansu");
    let tansu = tools::tansu()?;
    let dir = paths::state().join("tansu");
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let listener = format!("tcp://127.0.0.1:{port}");
    let mut command = Command::new(tansu);
    command
        .current_dir(&dir)
        .args(dev_servers::tansu_broker_args(&listener));
    let managed = Managed::spawn("tansu", command, &paths::logs().join("tansu.log"))?;
    wait_reachable("tansu", port)?;
    Ok(managed)
}

#[cfg(test)]
mod tests {
    use super::host_port;

    #[test]
    fn host_and_port_are_read_from_urls() {
        assert_eq!(
            host_port("postgres://postgres@127.0.0.1:5433/tonearm", 5432),
            Ok(("127.0.0.1".into(), 5433))
        );
        assert_eq!(
            host_port("redis://localhost", 6379),
            Ok(("localhost".into(), 6379))
        );
        assert_eq!(
            host_port("kafka://127.0.0.1:9092", 1),
            Ok(("127.0.0.1".into(), 9092))
        );
    }
}

#[cfg(test)]
mod broker_tests {
    use std::time::Duration;

    use super::{Endpoints, kafka_answers, round_trip};

    /// A stand-in for `stats-consumer probe` that fails as it does.
    fn failing_probe() -> std::path::PathBuf {
        use std::os::unix::fs::PermissionsExt as _;
        let path = std::env::temp_dir().join(format!("xtask-probe-{}", std::process::id()));
        let script = "#!/bin/sh\necho '{\"level\":\"ERROR\"}' >&2\n\
                      echo 'stats-consumer probe: the broker did not store the probe record' >&2\nexit 1\n";
        std::fs::write(&path, script).expect("script");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        path
    }

    #[test]
    fn a_broker_that_fails_the_round_trip_is_named_with_the_reason() {
        let probe = failing_probe();
        let why = round_trip(&probe, Endpoints::configured().env()).expect_err("failed");
        assert_eq!(
            why,
            "does not serve a produce-then-fetch round trip (the broker did not store the probe record)"
        );
        let _ = std::fs::remove_file(probe);
    }

    #[test]
    fn the_provisioned_broker_answers_metadata() {
        let broker = Endpoints::configured().kafka_brokers;
        let first = broker.split(',').next().expect("one broker");
        kafka_answers(first, Duration::from_secs(10)).expect("the broker answers");
    }

    #[test]
    fn a_broker_that_accepts_but_never_answers_is_named() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let address = listener.local_addr().expect("address").to_string();
        let error = kafka_answers(&address, Duration::from_secs(1)).expect_err("no answer");
        assert!(
            error.contains(&address) && error.contains("does not answer"),
            "{error}"
        );
        drop(listener);
    }
}
