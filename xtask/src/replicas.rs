//! `cargo xtask up --replicas N`: N instances of every service, each
//! replica on ports of its own, all behind the same PostgreSQL, Redis and
//! broker. Every instance is told every instance of each service
//! (`TONEARM_CATALOG_URL` and the others, comma-separated), so each gateway
//! balances over all of them; stats-consumers share the topic through their
//! consumer group.

use crate::{
    Result,
    system::{Ports, System, SystemConfig},
};

/// The settings of replica `index` (0 is `base` itself): its ports (free
/// ones past the first), its log folder, and the upstream lists.
fn replica(base: &SystemConfig, ports: Ports, index: usize, all: &[Ports]) -> SystemConfig {
    let mut extra_env = base.extra_env.clone();
    extra_env.extend(upstream_env(all));
    SystemConfig {
        endpoints: base.endpoints.clone(),
        ports,
        database_schema: base.database_schema.clone(),
        redis_prefix: base.redis_prefix.clone(),
        events_topic: base.events_topic.clone(),
        music_dirs: base.music_dirs.clone(),
        log_dir: if index == 0 {
            base.log_dir.clone()
        } else {
            base.log_dir.join(format!("replica-{}", index + 1))
        },
        build: base.build,
        extra_env,
    }
}

/// `TONEARM_*_URL` listing every instance of each service.
fn upstream_env(all: &[Ports]) -> Vec<(String, String)> {
    let list = |scheme: &str, port: fn(&Ports) -> u16| {
        all.iter()
            .map(|ports| format!("{scheme}://127.0.0.1:{}", port(ports)))
            .collect::<Vec<_>>()
            .join(",")
    };
    vec![
        ("TONEARM_CATALOG_URL".into(), list("http", |p| p.catalog)),
        ("TONEARM_STREAM_URL".into(), list("http", |p| p.stream)),
        ("TONEARM_EVENTS_URL".into(), list("http", |p| p.events)),
        ("TONEARM_EVENTS_WS_URL".into(), list("ws", |p| p.events_ws)),
    ]
}

/// Starts `replicas` copies of the system (at least one); the first on
/// `base.ports`. Not waited on: call [`System::wait_ready`] on each.
pub fn start(base: &SystemConfig, replicas: usize) -> Result<Vec<System>> {
    let mut all = vec![base.ports];
    for _ in 1..replicas.max(1) {
        all.push(Ports::free()?);
    }
    all.iter()
        .enumerate()
        .map(|(index, ports)| System::start(&replica(base, *ports, index, &all)))
        .collect()
}

/// `--replicas N`: a count from 1 to 8.
pub fn parse_count(value: Option<&String>) -> Result<usize> {
    let value = value.ok_or("--replicas needs a count")?;
    match value.parse::<usize>() {
        Ok(count @ 1..=8) => Ok(count),
        _ => Err(format!("--replicas {value}: expected a count from 1 to 8")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_instance_is_listed_for_every_service() {
        let one = Ports::DEFAULT;
        let two = Ports {
            gateway: 9080,
            catalog: 9081,
            stream: 9082,
            events: 9083,
            stats: 9084,
            events_ws: 9085,
        };
        let env = upstream_env(&[one, two]);
        let value = |name: &str| {
            env.iter()
                .find(|(key, _)| key == name)
                .map(|(_, value)| value.as_str())
        };
        assert_eq!(
            value("TONEARM_CATALOG_URL"),
            Some("http://127.0.0.1:8081,http://127.0.0.1:9081")
        );
        assert_eq!(
            value("TONEARM_EVENTS_WS_URL"),
            Some("ws://127.0.0.1:8085,ws://127.0.0.1:9085")
        );
    }

    #[test]
    fn a_replica_count_is_checked() {
        assert_eq!(parse_count(Some(&"2".to_owned())), Ok(2));
        assert!(parse_count(Some(&"0".to_owned())).is_err());
        assert!(parse_count(Some(&"two".to_owned())).is_err());
        assert!(parse_count(None).is_err());
    }
}
