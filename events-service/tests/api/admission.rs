//! Caps on open sockets: one address, or one account, cannot hold
//! thousands of sockets (each an online session with its own message rate).

use std::time::{Duration, Instant};

use crate::{
    helpers::{Socket, TOKEN, TestApp, isolated_settings, next_of_type, spawn_app_with},
    sockets::refusal_of,
};

async fn open(app: &TestApp, headers: &[(&str, &str)], with_token: bool) -> Socket {
    let mut socket = if with_token {
        app.try_connect("/ws", headers).await
    } else {
        app.try_connect_raw("/ws", headers).await
    }
    .expect("the socket opens");
    next_of_type(&mut socket, "hello").await;
    socket
}

/// Reached directly (development, no token), the address is the TCP peer:
/// a made-up `x-forwarded-for` does not buy more sockets.
#[tokio::test]
async fn one_address_cannot_hold_more_sockets_than_its_cap_even_with_a_forged_forwarded_for() {
    let (mut settings, mut events) = isolated_settings();
    settings.internal_token = None;
    events.max_sockets_per_address = 3;
    let app = spawn_app_with(settings, events).await;
    let mut held = Vec::new();
    for _ in 0..3 {
        held.push(open(&app, &[], false).await);
    }
    for headers in [vec![], vec![("x-forwarded-for", "203.0.113.7")]] {
        let (status, body) = refusal_of(app.try_connect_raw("/ws", &headers).await);
        assert_eq!(status, 429, "{headers:?}");
        assert_eq!(body["error"]["code"], "too_many_sockets", "{body}");
        assert!(
            body["error"]["message"]
                .as_str()
                .is_some_and(|m| m.contains("address")),
            "{body}"
        );
    }
    // Closing one frees its place.
    held.pop().expect("a socket").close(None).await.expect("closed");
    let deadline = Instant::now() + Duration::from_secs(5);
    while app.try_connect_raw("/ws", &[]).await.is_err() {
        assert!(
            Instant::now() < deadline,
            "the closed socket's place was never freed"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Behind the gateway (token), the address is the one the gateway saw.
#[tokio::test]
async fn behind_the_gateway_each_client_address_has_its_own_cap() {
    let (settings, mut events) = isolated_settings();
    events.max_sockets_per_address = 2;
    let app = spawn_app_with(settings, events).await;
    let first = [("x-forwarded-for", "203.0.113.1")];
    let _held = [open(&app, &first, true).await, open(&app, &first, true).await];
    let (status, body) = refusal_of(app.try_connect("/ws", &first).await);
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (429, Some("too_many_sockets"))
    );
    let _other = open(&app, &[("x-forwarded-for", "203.0.113.2")], true).await;
}

#[tokio::test]
async fn one_account_cannot_hold_more_sockets_than_its_cap() {
    let (settings, mut events) = isolated_settings();
    events.max_sockets_per_user = 2;
    let app = spawn_app_with(settings, events).await;
    let as_user = |user: &'static str, address: &'static str| {
        [
            ("x-tonearm-user", user),
            ("x-tonearm-session", "sess-cap"),
            ("x-forwarded-for", address),
            ("x-tonearm-internal-token", TOKEN),
        ]
    };
    let _held = [
        open(&app, &as_user("u1", "203.0.113.1"), true).await,
        open(&app, &as_user("u1", "203.0.113.2"), true).await,
    ];
    let (status, body) = refusal_of(app.try_connect("/ws", &as_user("u1", "203.0.113.3")).await);
    assert_eq!(status, 429);
    assert_eq!(body["error"]["code"], "too_many_sockets");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("account")),
        "{body}"
    );
    let _other_user = open(&app, &as_user("u2", "203.0.113.3"), true).await;
}
