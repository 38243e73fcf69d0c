use serde_json::json;

use crate::helpers::{SONG, next_of_type, of_session, read_topic, send_json, spawn_app};

#[tokio::test]
async fn every_accepted_message_becomes_one_event_in_order() {
    let app = spawn_app().await;
    let headers = [
        ("x-tonearm-session", "sess-order"),
        ("x-tonearm-user", "user-7"),
        ("x-request-id", "req-order-1"),
    ];
    let mut socket = app.connect(&headers).await;
    next_of_type(&mut socket, "hello").await;
    for message in [
        json!({"type": "play", "song": SONG, "position_ms": 0}),
        json!({"type": "pause", "position_ms": 1200}),
        json!({"type": "resume", "position_ms": 1200}),
        json!({"type": "seek", "position_ms": 60000}),
        json!({"type": "ended"}),
        json!({"type": "heartbeat"}),
    ] {
        send_json(&mut socket, message).await;
    }
    socket.close(None).await.expect("closed");

    let read = read_topic(&app.settings, |read| {
        of_session(read, "sess-order")
            .iter()
            .any(|r| r.event.kind.as_str() == "disconnected")
    })
    .await;
    let events = of_session(&read, "sess-order");
    let kinds: Vec<&str> = events.iter().map(|r| r.event.kind.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "connected",
            "play",
            "pause",
            "resume",
            "seek",
            "ended",
            "heartbeat",
            "disconnected"
        ]
    );
    for record in &events {
        assert_eq!(record.event.v, 2);
        assert_eq!(record.event.source, common::events::Source::Socket);
        assert_eq!(record.event.session, "sess-order");
        assert_eq!(record.event.user.as_deref(), Some("user-7"));
        assert_eq!(record.request_id.as_deref(), Some("req-order-1"));
        assert_eq!(record.event.instance, app.settings.instance_id);
    }
    assert_eq!(events[1].event.song.as_deref(), Some(SONG));
    assert_eq!(
        events[2].event.song.as_deref(),
        Some(SONG),
        "pause names the song playing"
    );
    assert_eq!(events[2].event.position_ms, Some(1200));
    assert_eq!(events[4].event.position_ms, Some(60000));
    assert_eq!(events[6].event.song, None, "heartbeats carry no song");
    let ids: std::collections::HashSet<_> = events.iter().map(|r| r.event.id).collect();
    assert_eq!(ids.len(), events.len(), "every event has its own id");
}

#[tokio::test]
async fn stopping_the_service_sends_every_accepted_event_and_closes_sockets() {
    let app = spawn_app().await;
    let mut socket = app.connect(&[("x-tonearm-session", "sess-stop")]).await;
    next_of_type(&mut socket, "hello").await;
    send_json(&mut socket, json!({"type": "play", "song": SONG})).await;
    // The play must be accepted before the stop begins.
    send_json(&mut socket, json!({"type": "dance"})).await;
    next_of_type(&mut socket, "error").await;
    let settings = app.settings.clone();
    app.stop().await;
    let read = read_topic(&settings, |read| {
        of_session(read, "sess-stop")
            .iter()
            .any(|r| r.event.kind.as_str() == "disconnected")
    })
    .await;
    let kinds: Vec<&str> = of_session(&read, "sess-stop")
        .iter()
        .map(|r| r.event.kind.as_str())
        .collect();
    assert_eq!(kinds, ["connected", "play", "disconnected"]);
}
