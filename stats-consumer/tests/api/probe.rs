//! `stats-consumer probe` tells a broker that serves a produce-then-fetch
//! round trip from one that only accepts connections.

use std::time::{Duration, Instant};

use crate::helpers::isolated_settings;

#[tokio::test]
async fn a_serving_broker_passes_the_round_trip() {
    let (settings, _) = isolated_settings();
    let took = stats_consumer::probe::round_trip(&settings, Duration::from_secs(20))
        .await
        .expect("the shared broker serves a round trip");
    assert!(took < Duration::from_secs(20));
}

#[tokio::test]
async fn a_broker_that_accepts_connections_but_never_answers_fails_in_time() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let (mut settings, _) = isolated_settings();
    settings.kafka.brokers = listener.local_addr().expect("address").to_string();
    let started = Instant::now();
    let error = stats_consumer::probe::round_trip(&settings, Duration::from_secs(3))
        .await
        .expect_err("no round trip");
    assert!(started.elapsed() < Duration::from_secs(15), "gave up in time");
    assert!(format!("{error:#}").contains("timed out"), "{error:#}");
    drop(listener);
}
