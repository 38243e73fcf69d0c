//! CPU time of the processes behind a figure: the service (or Polaris)
//! itself, and the PostgreSQL backends serving the service's connections
//! (found by the client ports of the service's own sockets, so other
//! work on the same server is not counted).

use std::collections::{HashMap, HashSet};

use sqlx::PgPool;

/// Clock ticks per second of `/proc/*/stat` (`USER_HZ`, 100 on Linux).
const TICKS_PER_SECOND: f64 = 100.0;

/// User and system CPU seconds used by process `pid` so far.
pub fn process_seconds(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name (which may hold spaces), from field 3.
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / TICKS_PER_SECOND)
}

/// CPU seconds of a process and of the database backends it talks to.
#[derive(Clone, Debug, Default)]
pub struct Snapshot {
    pub process: f64,
    backends: HashMap<i32, f64>,
}

impl Snapshot {
    /// The CPU used so far by `pid` and by the backends of its connections.
    pub async fn take(pid: u32, admin: &PgPool) -> anyhow::Result<Self> {
        let ports: Vec<i32> = local_ports(pid).into_iter().map(i32::from).collect();
        let pids: Vec<i32> =
            sqlx::query_scalar("SELECT pid FROM pg_stat_activity WHERE client_port = ANY($1)")
                .bind(&ports)
                .fetch_all(admin)
                .await?;
        let backends = pids
            .into_iter()
            .filter_map(|backend| Some((backend, process_seconds(backend as u32)?)))
            .collect();
        Ok(Self {
            process: process_seconds(pid).unwrap_or(0.0),
            backends,
        })
    }

    /// CPU seconds used since `earlier`: (process, database backends).
    /// Backends opened in between count from zero.
    pub fn since(&self, earlier: &Self) -> (f64, f64) {
        let database = self
            .backends
            .iter()
            .map(|(pid, now)| now - earlier.backends.get(pid).copied().unwrap_or(0.0))
            .sum();
        (self.process - earlier.process, database)
    }
}

/// Local TCP ports of the sockets process `pid` holds.
fn local_ports(pid: u32) -> Vec<u16> {
    let inodes: HashSet<String> = std::fs::read_dir(format!("/proc/{pid}/fd"))
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .filter_map(|fd| std::fs::read_link(fd.path()).ok())
        .filter_map(|link| {
            let link = link.to_string_lossy().into_owned();
            Some(link.strip_prefix("socket:[")?.strip_suffix(']')?.to_owned())
        })
        .collect();
    ["tcp", "tcp6"]
        .iter()
        .filter_map(|table| std::fs::read_to_string(format!("/proc/{pid}/net/{table}")).ok())
        .flat_map(|text| {
            text.lines()
                .skip(1)
                .filter_map(|line| {
                    let fields: Vec<&str> = line.split_whitespace().collect();
                    let inode = fields.get(9)?;
                    let port = fields.get(1)?.rsplit_once(':')?.1;
                    inodes
                        .contains(*inode)
                        .then(|| u16::from_str_radix(port, 16).ok())
                        .flatten()
                })
                .collect::<Vec<_>>()
        })
        .collect()
}
