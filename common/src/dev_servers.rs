//! How development, tests and benchmarks start the servers Tonearm needs
//! when none runs: the same command lines for `cargo xtask` and for tests
//! that start a private one.

/// Arguments of a `redis-server` that keeps nothing on disk and listens on
/// loopback only; add `--port N` (or a Unix socket).
pub const REDIS_NOTHING_KEPT: [&str; 6] = ["--bind", "127.0.0.1", "--save", "", "--appendonly", "no"];

/// Arguments of `tansu broker` listening on `url` (`tcp://127.0.0.1:PORT`),
/// its store an SQLite file in the working directory.
pub fn tansu_broker_args(url: &str) -> [&str; 7] {
    [
        "broker",
        "--listener-url",
        url,
        "--advertised-listener-url",
        url,
        "--storage-engine",
        "sqlite://tansu.db",
    ]
}
