//! `/ws` relay: frames both ways, close codes kept, sessions required.

use common::test_support::{dead_url, socket::upgrade_request};
use futures_util::{SinkExt as _, StreamExt as _};
use tokio_tungstenite::tungstenite::{
    Message,
    protocol::{CloseFrame, frame::coding::CloseCode},
};

use crate::helpers::{Options, TestApp, eventually, spawn_app, spawn_app_with};

type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn open(app: &TestApp, cookie: Option<&str>) -> Result<Socket, tokio_tungstenite::tungstenite::Error> {
    let cookie: Vec<_> = cookie.map(|cookie| ("cookie", cookie)).into_iter().collect();
    let request = upgrade_request(&format!("ws://127.0.0.1:{}/ws", app.port), &cookie);
    tokio_tungstenite::connect_async(request)
        .await
        .map(|(socket, _)| socket)
}

async fn next_data(socket: &mut Socket) -> Message {
    loop {
        match socket.next().await.expect("a message").expect("no error") {
            Message::Ping(_) | Message::Pong(_) => continue,
            other => return other,
        }
    }
}

#[tokio::test]
async fn frames_are_relayed_both_ways_with_the_callers_identity() {
    let app = spawn_app().await;
    let cookie = app.admin_cookie().await;
    let mut socket = open(&app, Some(&cookie)).await.expect("upgrade");
    assert_eq!(next_data(&mut socket).await, Message::text("hello admin"));
    socket.send(Message::text("play")).await.expect("send");
    assert_eq!(next_data(&mut socket).await, Message::text("play"));
    socket
        .send(Message::binary(vec![1_u8, 2, 3]))
        .await
        .expect("send");
    assert_eq!(next_data(&mut socket).await, Message::binary(vec![1_u8, 2, 3]));
}

#[tokio::test]
async fn close_codes_are_kept_in_both_directions() {
    let app = spawn_app().await;
    let cookie = app.admin_cookie().await;
    let mut socket = open(&app, Some(&cookie)).await.expect("upgrade");
    next_data(&mut socket).await;
    socket.send(Message::text("close:4001")).await.expect("send");
    match next_data(&mut socket).await {
        Message::Close(Some(frame)) => {
            assert_eq!(u16::from(frame.code), 4001);
            assert_eq!(frame.reason.as_str(), "bye");
        }
        other => panic!("expected a close frame, got {other:?}"),
    }

    let mut socket = open(&app, Some(&cookie)).await.expect("upgrade");
    next_data(&mut socket).await;
    socket
        .close(Some(CloseFrame {
            code: CloseCode::from(4000),
            reason: "leaving".into(),
        }))
        .await
        .expect("close");
    let seen = app.upstream.seen.clone();
    eventually("the service to see code 4000", || {
        seen.close_codes.lock().expect("lock").contains(&4000)
    })
    .await;
}

#[tokio::test]
async fn an_upgrade_without_a_session_is_refused_when_anonymous_is_off() {
    let app = spawn_app().await;
    match open(&app, None).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => assert_eq!(response.status(), 401),
        other => panic!("expected a refused upgrade, got {:?}", other.map(|_| "a socket")),
    }
    match open(&app, Some("tonearm_session=forged")).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => assert_eq!(response.status(), 401),
        other => panic!("expected a refused upgrade, got {:?}", other.map(|_| "a socket")),
    }
}

#[tokio::test]
async fn anonymous_sockets_are_relayed_when_allowed() {
    let app = spawn_app_with(Options {
        allow_anonymous: true,
        ..Options::default()
    })
    .await;
    let mut socket = open(&app, None).await.expect("upgrade");
    assert_eq!(next_data(&mut socket).await, Message::text("hello anonymous"));
}

#[tokio::test]
async fn an_unreachable_events_service_refuses_the_upgrade_with_503() {
    let app = spawn_app_with(Options {
        events: Some(dead_url()),
        ..Options::default()
    })
    .await;
    let cookie = app.admin_cookie().await;
    match open(&app, Some(&cookie)).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => assert_eq!(response.status(), 503),
        other => panic!("expected 503, got {:?}", other.map(|_| "a socket")),
    }
}

#[tokio::test]
async fn an_upgrade_from_another_site_is_refused() {
    let app = spawn_app().await;
    let cookie = app.admin_cookie().await;
    let headers = [("cookie", cookie.as_str()), ("origin", "https://evil.example")];
    let request = upgrade_request(&format!("ws://127.0.0.1:{}/ws", app.port), &headers);
    match tokio_tungstenite::connect_async(request).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => assert_eq!(response.status(), 403),
        other => panic!("expected 403, got {:?}", other.map(|_| "a socket")),
    }
}

#[tokio::test]
async fn an_open_socket_closes_when_its_user_is_disabled() {
    let app = spawn_app_with(Options {
        tweak: |raw| raw.socket_session_check_secs = 1,
        ..Options::default()
    })
    .await;
    let admin = app.admin_cookie().await;
    let id = app.create_user(&admin, "sol", "listener-pass", "listener").await;
    let listener = app.login("sol", "listener-pass").await;
    let mut socket = open(&app, Some(&listener)).await.expect("upgrade");
    assert_eq!(next_data(&mut socket).await, Message::text("hello listener"));
    assert_eq!(
        app.change_user(&admin, &id, serde_json::json!({"disabled": true}))
            .await,
        200
    );
    let closed = tokio::time::timeout(std::time::Duration::from_secs(5), next_data(&mut socket))
        .await
        .expect("closed in time");
    match closed {
        Message::Close(Some(frame)) => assert_eq!(frame.code, CloseCode::Policy),
        other => panic!("expected a close frame, got {other:?}"),
    }
}

#[tokio::test]
async fn readiness_checks_the_events_socket_listener() {
    let ops_readyz = |app: &TestApp| {
        let url = format!("http://127.0.0.1:{}/readyz", app.ops_port);
        let client = app.client.clone();
        async move {
            client
                .get(url)
                .send()
                .await
                .expect("request")
                .json::<serde_json::Value>()
                .await
                .expect("json")
        }
    };
    let app = spawn_app().await;
    let report = ops_readyz(&app).await;
    assert_eq!(report["checks"]["events-ws"]["status"], "ok", "{report}");

    let down = spawn_app_with(Options {
        events: Some(dead_url()),
        ..Options::default()
    })
    .await;
    let report = ops_readyz(&down).await;
    assert_eq!(report["checks"]["events-ws"]["status"], "error", "{report}");
    assert_eq!(down.get("/readyz", None).await.status(), 503);
}

/// Waits for the socket to be closed with 1008 "the session ended".
async fn closed_by_policy(socket: &mut Socket) {
    let closed = tokio::time::timeout(std::time::Duration::from_secs(5), next_data(socket))
        .await
        .expect("closed in time");
    match closed {
        Message::Close(Some(frame)) => assert_eq!(frame.code, CloseCode::Policy),
        other => panic!("expected a close frame, got {other:?}"),
    }
}

async fn sql(app: &TestApp, statement: &str, user: &str) {
    let pool = crate::helpers::pool_for(&app.schema).await;
    sqlx::query(statement)
        .bind(uuid::Uuid::parse_str(user).expect("uuid"))
        .execute(&pool)
        .await
        .expect("update");
}

#[tokio::test]
async fn an_open_socket_closes_when_its_account_is_disabled_even_if_its_session_was_missed() {
    let app = spawn_app_with(Options {
        tweak: |raw| raw.socket_session_check_secs = 1,
        ..Options::default()
    })
    .await;
    let admin = app.admin_cookie().await;
    let id = app.create_user(&admin, "una", "listener-pass", "listener").await;
    let listener = app.login("una", "listener-pass").await;
    let mut socket = open(&app, Some(&listener)).await.expect("upgrade");
    assert_eq!(next_data(&mut socket).await, Message::text("hello listener"));
    // Disabled in PostgreSQL; the session in Redis is left as it was.
    sql(
        &app,
        "UPDATE gateway_users SET disabled = true WHERE id = $1",
        &id,
    )
    .await;
    closed_by_policy(&mut socket).await;
}

#[tokio::test]
async fn an_admins_open_socket_closes_when_they_are_demoted() {
    let app = spawn_app_with(Options {
        tweak: |raw| raw.socket_session_check_secs = 1,
        ..Options::default()
    })
    .await;
    let admin = app.admin_cookie().await;
    let id = app.create_user(&admin, "vic", "second-admin", "admin").await;
    let second = app.login("vic", "second-admin").await;
    let mut socket = open(&app, Some(&second)).await.expect("upgrade");
    assert_eq!(next_data(&mut socket).await, Message::text("hello admin"));
    sql(
        &app,
        "UPDATE gateway_users SET role = 'listener' WHERE id = $1",
        &id,
    )
    .await;
    closed_by_policy(&mut socket).await;
    // Reconnecting gives the service the current role.
    let mut socket = open(&app, Some(&second)).await.expect("upgrade");
    assert_eq!(next_data(&mut socket).await, Message::text("hello listener"));
}

#[tokio::test]
async fn the_upgrade_to_the_events_socket_port_carries_the_internal_token() {
    let app = spawn_app().await;
    let cookie = app.admin_cookie().await;
    let mut socket = open(&app, Some(&cookie)).await.expect("upgrade");
    // The fixture greets only upgrades that carry the token.
    assert_eq!(next_data(&mut socket).await, Message::text("hello admin"));
    let seen = app.upstream.seen.clone();
    assert_eq!(
        seen.socket_tokens.lock().expect("lock").as_slice(),
        [crate::helpers::INTERNAL_TOKEN]
    );
}
