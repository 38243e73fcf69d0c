//! Is the Kafka broker healthy? It may accept connections and still be
//! stuck (no answer to a metadata request), or answer metadata while its
//! storage fails every fetch (a tansu restarted on a data folder damaged by
//! a kill). xtask speaks just enough of the protocol for the first check and
//! runs `stats-consumer probe` (a real produce-then-fetch) for the second.

use std::{path::Path, process::Command, time::Duration};

use crate::{Result, deps::Endpoints};

/// A broker that accepts connections may still be stuck; ask it for the
/// cluster metadata (Kafka Metadata request, version 0) before reusing it.
pub fn kafka_answers(broker: &str, timeout: Duration) -> Result {
    use std::io::{Read as _, Write as _};
    let stuck = |why: String| {
        format!(
            "the Kafka broker at {broker} accepts connections but {why}; restart it, \
             or point TONEARM_KAFKA_BROKERS at another one"
        )
    };
    let mut stream = std::net::TcpStream::connect(broker).map_err(|e| stuck(e.to_string()))?;
    stream
        .set_read_timeout(Some(timeout))
        .map_err(|e| e.to_string())?;
    let client = b"xtask";
    let mut request = Vec::new();
    request.extend_from_slice(&3i16.to_be_bytes()); // Metadata
    request.extend_from_slice(&0i16.to_be_bytes()); // version 0
    request.extend_from_slice(&7i32.to_be_bytes()); // correlation id
    request.extend_from_slice(&(client.len() as i16).to_be_bytes());
    request.extend_from_slice(client);
    request.extend_from_slice(&0i32.to_be_bytes()); // no topic named: all of them
    let mut framed = (request.len() as i32).to_be_bytes().to_vec();
    framed.extend_from_slice(&request);
    stream.write_all(&framed).map_err(|e| stuck(e.to_string()))?;
    let mut head = [0u8; 8];
    stream.read_exact(&mut head).map_err(|_| {
        stuck(format!(
            "does not answer a metadata request within {} s",
            timeout.as_secs()
        ))
    })?;
    if head[4..8] != 7i32.to_be_bytes() {
        return Err(stuck("answered a metadata request with something else".into()));
    }
    Ok(())
}

/// Runs `stats-consumer probe`; the reason of a failure otherwise.
pub fn round_trip(probe: &Path, endpoints: &Endpoints) -> Result {
    let output = Command::new(probe)
        .arg("probe")
        .envs(endpoints.env())
        .env("TONEARM_LOG", "error")
        .output()
        .map_err(|e| format!("cannot run {}: {e}", probe.display()))?;
    if output.status.success() {
        return Ok(());
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
    let reason = stderr
        .lines()
        .rev()
        .find_map(|line| line.strip_prefix("stats-consumer probe: "))
        .unwrap_or("the probe failed");
    Err(format!(
        "does not serve a produce-then-fetch round trip ({reason})"
    ))
}

pub fn unix_seconds() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs())
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::{kafka_answers, round_trip};
    use crate::deps::Endpoints;

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
        let why = round_trip(&probe, &Endpoints::configured()).expect_err("failed");
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
