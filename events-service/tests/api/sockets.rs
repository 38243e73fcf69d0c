//! The WebSocket port itself: the upgrade's checks, the handshake bound,
//! and the stop.

use std::time::Duration;

use futures_util::StreamExt as _;
use tokio::io::AsyncReadExt as _;
use tokio_tungstenite::tungstenite::{Error, Message, protocol::frame::coding::CloseCode};

use crate::helpers::{TOKEN, isolated_settings, next_of_type, spawn_app, spawn_app_with};

pub fn refusal_of(result: Result<crate::helpers::Socket, Error>) -> (u16, serde_json::Value) {
    match result {
        Err(Error::Http(response)) => {
            let body = response.body().as_deref().unwrap_or_default();
            let json = serde_json::from_slice(body).expect("a JSON error body");
            (response.status().as_u16(), json)
        }
        Err(other) => panic!("expected an HTTP refusal, got {other}"),
        Ok(_) => panic!("expected a refusal, got a socket"),
    }
}

#[tokio::test]
async fn identity_headers_without_the_gateways_token_are_refused() {
    let app = spawn_app().await;

    let forged = app
        .try_connect_raw("/ws", &[("x-tonearm-session", "sess-forged")])
        .await;
    let (status, body) = refusal_of(forged);
    assert_eq!(status, 401);
    assert_eq!(body["error"]["code"], "forged_identity");
    assert!(body["error"]["request_id"].is_string(), "{body}");

    let wrong = app
        .try_connect_raw(
            "/ws",
            &[
                ("x-tonearm-user", "user-1"),
                ("x-tonearm-internal-token", "guess"),
            ],
        )
        .await;
    assert_eq!(refusal_of(wrong).0, 401);

    let mut genuine = app
        .connect(&[
            ("x-tonearm-session", "sess-genuine"),
            ("x-tonearm-internal-token", TOKEN),
        ])
        .await;
    assert_eq!(
        next_of_type(&mut genuine, "hello").await["session"],
        "sess-genuine"
    );

    // The gateway's anonymous caller: the token and no session.
    let mut anonymous = app.connect(&[]).await;
    let hello = next_of_type(&mut anonymous, "hello").await;
    assert!(hello["session"].as_str().is_some_and(|s| s.starts_with("anon-")));
}

/// The socket port takes only the gateway: with a token configured, an
/// upgrade straight to :8085 without it (and without identity headers, so
/// nothing looks forged) is refused, not served anonymously.
#[tokio::test]
async fn a_direct_upgrade_without_the_token_is_refused() {
    let app = spawn_app().await;
    let (status, body) = refusal_of(app.try_connect_raw("/ws", &[]).await);
    assert_eq!(status, 401);
    assert_eq!(body["error"]["code"], "internal_token_required", "{body}");
    let (status, _) = refusal_of(
        app.try_connect_raw("/ws", &[("origin", "http://127.0.0.1:8080")])
            .await,
    );
    assert_eq!(status, 401, "an origin is no substitute for the token");
}

/// Development (no token): a hostile page, even one served on loopback,
/// cannot open a socket on the socket port from the browser of someone
/// running Tonearm; listed origins and non-browser clients (no `Origin`)
/// can.
#[tokio::test]
async fn a_page_of_another_origin_cannot_open_a_socket_directly() {
    let (mut settings, mut events) = isolated_settings();
    settings.internal_token = None;
    events.public_origins = vec!["http://music.example.org".into()];
    let app = spawn_app_with(settings, events).await;
    for origin in ["http://evil.example", "http://127.0.0.1:9999", "null"] {
        let (status, body) = refusal_of(app.try_connect_raw("/ws", &[("origin", origin)]).await);
        assert_eq!(status, 403, "{origin}");
        assert_eq!(body["error"]["code"], "cross_origin", "{origin}: {body}");
    }
    let mut listed = app
        .try_connect_raw("/ws", &[("origin", "http://music.example.org")])
        .await
        .expect("a listed origin connects");
    next_of_type(&mut listed, "hello").await;
    let mut tool = app
        .try_connect_raw("/ws", &[])
        .await
        .expect("no Origin: not a browser");
    next_of_type(&mut tool, "hello").await;
}

#[tokio::test]
async fn only_the_ws_path_is_served() {
    let app = spawn_app().await;
    let (status, body) = refusal_of(app.try_connect("/api/events/announcements", &[]).await);
    assert_eq!(status, 404);
    assert_eq!(body["error"]["code"], "route_not_found");
    // And the HTTP port no longer serves sockets.
    let mut request = tokio_tungstenite::tungstenite::client::IntoClientRequest::into_client_request(
        format!("ws://127.0.0.1:{}/ws", app.port),
    )
    .expect("request");
    request
        .headers_mut()
        .insert("x-tonearm-internal-token", TOKEN.parse().expect("value"));
    let (status, _) = refusal_of(
        tokio_tungstenite::connect_async(request)
            .await
            .map(|(socket, _)| socket),
    );
    assert_eq!(status, 404);
}

#[tokio::test]
async fn a_connection_that_never_upgrades_is_dropped() {
    let app = spawn_app().await;
    let mut silent = tokio::net::TcpStream::connect(("127.0.0.1", app.ws_port))
        .await
        .expect("connects");
    let mut buffer = [0u8; 16];
    let read = tokio::time::timeout(Duration::from_secs(30), silent.read(&mut buffer))
        .await
        .expect("the server gives up on the handshake");
    assert!(matches!(read, Ok(0) | Err(_)), "{read:?}");
}

#[tokio::test]
async fn a_stop_closes_sockets_with_1012_and_the_port() {
    let app = spawn_app().await;
    let mut socket = app.connect(&[]).await;
    next_of_type(&mut socket, "hello").await;
    let ws_port = app.ws_port;
    let stopping = tokio::spawn(app.stop());
    let code = loop {
        match tokio::time::timeout(Duration::from_secs(10), socket.next())
            .await
            .expect("closed in time")
        {
            Some(Ok(Message::Close(frame))) => break frame.map(|frame| frame.code),
            Some(Ok(_)) => continue,
            other => panic!("expected a close frame, got {other:?}"),
        }
    };
    assert_eq!(code, Some(CloseCode::Restart));
    stopping.await.expect("stopped");
    assert!(
        tokio::net::TcpStream::connect(("127.0.0.1", ws_port))
            .await
            .is_err(),
        "the WebSocket port is closed after a stop"
    );
}
