use std::time::{Duration, Instant};

use serde_json::json;

use common::test_support::{broker::PrivateBroker, metrics};

use crate::helpers::{
    SONG, Socket, isolated_settings, next_of_type, of_session, read_topic, send_json, spawn_app_with,
};

async fn seek(socket: &mut Socket, range: std::ops::Range<u64>) {
    for position in range {
        send_json(socket, json!({"type": "seek", "position_ms": position})).await;
    }
}

async fn metric(app: &crate::helpers::TestApp, name: &str) -> f64 {
    let text = metrics::scrape(&app.client, &app.address).await;
    metrics::value(&text, &format!("tonearm_{name}"), &[]).unwrap_or(0.0)
}

#[tokio::test]
async fn events_sent_while_the_broker_is_down_arrive_once_and_in_order() {
    let mut broker = PrivateBroker::start();
    let (mut settings, mut events) = isolated_settings();
    settings.kafka.brokers = broker.brokers();
    events.rate_limit = 100_000;
    // A small in-flight window, so most events of the outage go through the
    // disk spool rather than the Kafka client's memory.
    events.inflight_max = 20;
    let app = spawn_app_with(settings, events).await;
    let mut socket = app.connect(&[("x-tonearm-session", "sess-outage")]).await;
    next_of_type(&mut socket, "hello").await;
    send_json(&mut socket, json!({"type": "play", "song": SONG})).await;
    seek(&mut socket, 0..100).await;
    let until_100 = |read: &[crate::helpers::Read]| {
        of_session(read, "sess-outage")
            .iter()
            .any(|r| r.event.position_ms == Some(99))
    };
    read_topic(&app.settings, until_100).await;

    broker.kill();
    seek(&mut socket, 100..300).await;
    let deadline = Instant::now() + Duration::from_secs(10);
    while metric(&app, "events_spooled_total").await < 100.0 {
        assert!(
            Instant::now() < deadline,
            "events were not spooled during the outage"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    broker.resume();
    seek(&mut socket, 300..400).await;
    socket.close(None).await.expect("closed");

    let read = read_topic(&app.settings, |read| {
        of_session(read, "sess-outage")
            .iter()
            .any(|r| r.event.kind.as_str() == "disconnected")
    })
    .await;
    let positions: Vec<u64> = of_session(&read, "sess-outage")
        .iter()
        .filter(|r| r.event.kind.as_str() == "seek")
        .filter_map(|r| r.event.position_ms)
        .collect();
    assert_eq!(
        positions,
        (0..400).collect::<Vec<_>>(),
        "each event once, in order"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_full_spool_refuses_events_says_so_and_recovers() {
    let mut broker = PrivateBroker::start();
    let (mut settings, mut events) = isolated_settings();
    settings.kafka.brokers = broker.brokers();
    events.rate_limit = 100_000;
    events.inflight_max = 1;
    events.spool_max_bytes = 8 * 1024;
    let app = spawn_app_with(settings, events).await;
    let mut socket = app.connect(&[("x-tonearm-session", "sess-full")]).await;
    next_of_type(&mut socket, "hello").await;
    send_json(&mut socket, json!({"type": "play", "song": SONG})).await;
    broker.kill();

    let mut position = 0;
    let refusal = loop {
        send_json(&mut socket, json!({"type": "seek", "position_ms": position})).await;
        position += 1;
        // Ask for an answer: a refusal arrives before the "dance" error.
        send_json(&mut socket, json!({"type": "dance"})).await;
        let error = next_of_type(&mut socket, "error").await;
        if error["code"] != "unknown_type" {
            break error;
        }
        assert!(position < 5000, "the spool never filled");
    };
    assert_eq!(refusal["code"], "events_unavailable", "{refusal}");
    let response = app
        .client
        .get(format!("{}/readyz", app.address))
        .send()
        .await
        .expect("readyz");
    assert_eq!(response.status(), 503);
    let body: serde_json::Value = response.json().await.expect("json");
    assert_eq!(body["checks"]["spool"]["status"], "error", "{body}");
    assert_eq!(metric(&app, "events_spool_full").await, 1.0);

    broker.resume();
    app.wait_ready().await;
    assert_eq!(metric(&app, "events_spool_full").await, 0.0);
    app.stop().await;
}
