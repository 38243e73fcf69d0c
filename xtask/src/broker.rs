//! Is the Kafka broker healthy? It may accept connections and still be
//! stuck (no answer to a metadata request), or answer metadata while its
//! storage fails every fetch (a tansu restarted on a data folder damaged by
//! a kill). xtask speaks just enough of the protocol for the first check and
//! runs `stats-consumer probe` (a real produce-then-fetch) for the second.

use std::{path::Path, process::Command, time::Duration};

use crate::Result;

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

/// Runs `stats-consumer probe` with `env` (where the dependencies are);
/// the reason of a failure otherwise.
pub fn round_trip(probe: &Path, env: Vec<(String, String)>) -> Result {
    let output = Command::new(probe)
        .arg("probe")
        .envs(env)
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
