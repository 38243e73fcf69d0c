use std::time::Duration;

use futures_util::StreamExt as _;
use tokio_tungstenite::tungstenite::{Message, protocol::frame::coding::CloseCode};

use crate::helpers::{Socket, TestApp, isolated_settings, next_of_type, spawn_app_with};

/// A service that pings every 100 ms and gives up on a silent socket
/// after 400 ms, and a socket to it past its hello.
async fn quick_heartbeat_socket() -> (TestApp, Socket) {
    let (settings, mut events) = isolated_settings();
    events.heartbeat = Duration::from_millis(100);
    events.presence_timeout = Duration::from_millis(400);
    let app = spawn_app_with(settings, events).await;
    let mut socket = app.connect(&[]).await;
    next_of_type(&mut socket, "hello").await;
    (app, socket)
}

#[tokio::test]
async fn a_silent_socket_is_closed_as_idle() {
    let (_app, mut socket) = quick_heartbeat_socket().await;
    // Not reading means not answering pings: the server hears nothing.
    tokio::time::sleep(Duration::from_millis(900)).await;
    let close = loop {
        match tokio::time::timeout(Duration::from_secs(5), socket.next())
            .await
            .expect("an answer")
        {
            Some(Ok(Message::Close(frame))) => break frame.map(|frame| frame.code),
            Some(Ok(_)) => continue,
            other => panic!("expected a close frame, got {other:?}"),
        }
    };
    assert_eq!(close, Some(CloseCode::Away));
}

#[tokio::test]
async fn a_socket_that_answers_pings_stays_open() {
    let (_app, mut socket) = quick_heartbeat_socket().await;
    // Reading answers pings with pongs (tungstenite does it while reading).
    let mut pings = 0;
    let until = tokio::time::Instant::now() + Duration::from_millis(1200);
    while let Ok(Some(message)) = tokio::time::timeout_at(until, socket.next()).await {
        match message.expect("open") {
            Message::Ping(_) => pings += 1,
            Message::Close(frame) => panic!("closed while answering pings: {frame:?}"),
            _ => {}
        }
    }
    assert!(pings >= 3, "the server pings every heartbeat ({pings} pings)");
}
