use futures_util::{SinkExt as _, StreamExt as _};
use serde_json::json;
use tokio_tungstenite::tungstenite::{Message, protocol::frame::coding::CloseCode};

use crate::helpers::{SONG, Socket, next_json, next_of_type, of_session, read_topic, send_json, spawn_app};

#[tokio::test]
async fn hello_names_the_gateway_session_and_the_figures() {
    let app = spawn_app().await;
    let mut socket = app.connect(&[("x-tonearm-session", "sess-hello")]).await;
    let hello = next_json(&mut socket).await;
    assert_eq!(hello["type"], "hello");
    assert_eq!(hello["v"], 1);
    assert_eq!(hello["session"], "sess-hello");
    assert_eq!(hello["heartbeat_ms"], 15000);
    assert!(hello["stats"]["online"].is_u64(), "{hello}");
    assert!(hello["announcements"].is_array());

    let mut anonymous = app.connect(&[]).await;
    let hello = next_json(&mut anonymous).await;
    assert!(
        hello["session"].as_str().expect("session").starts_with("anon-"),
        "{hello}"
    );
}

#[tokio::test]
async fn bad_messages_get_an_error_and_never_become_events() {
    let app = spawn_app().await;
    let mut socket = app.connect(&[("x-tonearm-session", "sess-bad")]).await;
    next_of_type(&mut socket, "hello").await;
    let cases = [
        ("{not json".to_owned(), "invalid_json"),
        (json!({"type": "dance"}).to_string(), "unknown_type"),
        (json!({"kind": "play"}).to_string(), "missing_type"),
        (json!({"type": "pause"}).to_string(), "no_song"),
        (
            json!({"type": "seek", "position_ms": "soon"}).to_string(),
            "invalid_message",
        ),
        (
            json!({"type": "play", "song": "../../etc/passwd"}).to_string(),
            "invalid_id",
        ),
    ];
    for (text, code) in cases {
        socket.send(Message::text(text.clone())).await.expect("sent");
        let error = next_of_type(&mut socket, "error").await;
        assert_eq!(error["code"], code, "for {text}: {error}");
        assert!(error["message"].as_str().is_some_and(|m| !m.is_empty()));
    }
    send_json(&mut socket, json!({"type": "heartbeat"})).await;
    socket.close(None).await.expect("closed");

    let read = read_topic(&app.settings, |read| {
        of_session(read, "sess-bad")
            .iter()
            .any(|r| r.event.kind.as_str() == "disconnected")
    })
    .await;
    let kinds: Vec<&str> = of_session(&read, "sess-bad")
        .iter()
        .map(|r| r.event.kind.as_str())
        .collect();
    assert_eq!(kinds, ["connected", "heartbeat", "disconnected"]);
}

async fn close_code(socket: &mut Socket) -> Option<CloseCode> {
    loop {
        match tokio::time::timeout(std::time::Duration::from_secs(10), socket.next())
            .await
            .expect("an answer within 10 s")
        {
            Some(Ok(Message::Close(frame))) => return frame.map(|frame| frame.code),
            Some(Ok(_)) => continue,
            Some(Err(_)) | None => return None,
        }
    }
}

#[tokio::test]
async fn oversized_and_binary_frames_close_the_socket_with_the_right_code() {
    let app = spawn_app().await;
    let mut socket = app.connect(&[]).await;
    next_of_type(&mut socket, "hello").await;
    let big = json!({"type": "heartbeat", "pad": "x".repeat(5000)}).to_string();
    socket.send(Message::text(big)).await.expect("sent");
    assert_eq!(close_code(&mut socket).await, Some(CloseCode::Size));

    let mut socket = app.connect(&[]).await;
    next_of_type(&mut socket, "hello").await;
    socket.send(Message::binary(vec![1u8, 2, 3])).await.expect("sent");
    assert_eq!(close_code(&mut socket).await, Some(CloseCode::Unsupported));
}

#[tokio::test]
async fn floods_are_refused_then_closed() {
    let app = spawn_app().await;
    let mut socket = app.connect(&[("x-tonearm-session", "sess-flood")]).await;
    next_of_type(&mut socket, "hello").await;
    let limit = app.events.rate_limit as usize;
    for _ in 0..limit + 1 {
        send_json(&mut socket, json!({"type": "heartbeat"})).await;
    }
    let error = next_of_type(&mut socket, "error").await;
    assert_eq!(error["code"], "rate_limited");
    for _ in 0..limit * 4 {
        if socket
            .send(Message::text(json!({"type": "heartbeat"}).to_string()))
            .await
            .is_err()
        {
            break;
        }
    }
    assert_eq!(close_code(&mut socket).await, Some(CloseCode::Policy));

    let read = read_topic(&app.settings, |read| {
        of_session(read, "sess-flood")
            .iter()
            .any(|r| r.event.kind.as_str() == "disconnected")
    })
    .await;
    let heartbeats = of_session(&read, "sess-flood")
        .iter()
        .filter(|r| r.event.kind.as_str() == "heartbeat")
        .count();
    assert!(
        heartbeats <= limit * 2,
        "{heartbeats} heartbeats passed a limit of {limit}/s"
    );
}

#[tokio::test]
async fn a_song_id_in_play_is_required() {
    let app = spawn_app().await;
    let mut socket = app.connect(&[]).await;
    next_of_type(&mut socket, "hello").await;
    send_json(&mut socket, json!({"type": "play"})).await;
    assert_eq!(
        next_of_type(&mut socket, "error").await["code"],
        "invalid_message"
    );
    send_json(&mut socket, json!({"type": "play", "song": SONG})).await;
    send_json(&mut socket, json!({"type": "pause", "position_ms": 10})).await;
    send_json(&mut socket, json!({"type": "dance"})).await;
    // Valid messages get no answer; the next error is the one for "dance".
    assert_eq!(next_of_type(&mut socket, "error").await["code"], "unknown_type");
}
