//! Bad input and attacks.

use std::{
    sync::atomic::Ordering,
    time::{Duration, Instant},
};

use crate::helpers::{Options, error_code, raw_request, spawn_app, spawn_app_with};

#[tokio::test]
async fn wrong_password_unknown_user_and_disabled_user_look_the_same() {
    let app = spawn_app().await;
    let admin = app.admin_cookie().await;
    let id = app.create_user(&admin, "dora", "listener-pass", "listener").await;
    assert_eq!(
        app.change_user(&admin, &id, serde_json::json!({"disabled": true}))
            .await,
        200
    );
    let mut bodies = Vec::new();
    for (username, password) in [
        ("admin", "wrong-password"),
        ("nobody", "whatever1"),
        ("dora", "listener-pass"),
    ] {
        let response = app.try_login(username, password).await;
        assert_eq!(response.status(), 401, "{username}");
        assert!(response.headers().get("set-cookie").is_none());
        let mut body: serde_json::Value = response.json().await.expect("json");
        body["error"]["request_id"] = serde_json::Value::Null;
        bodies.push(body);
    }
    assert_eq!(bodies[0], bodies[1]);
    assert_eq!(bodies[1], bodies[2]);
    assert_eq!(bodies[0]["error"]["code"], "invalid_credentials");
}

#[tokio::test]
async fn sign_in_attempts_are_limited_per_account_even_unknown_ones() {
    let app = spawn_app().await;
    for username in ["admin", "nobody"] {
        for _ in 0..5 {
            assert_eq!(app.try_login(username, "wrong-password").await.status(), 401);
        }
        let limited = app.try_login(username, "wrong-password").await;
        assert_eq!(limited.status(), 429, "{username}");
        let retry: u64 = limited.headers()["retry-after"]
            .to_str()
            .expect("text")
            .parse()
            .expect("seconds");
        assert!(retry > 0 && retry <= 900);
        assert_eq!(error_code(limited).await, "rate_limited");
    }
    // Even the right password waits out the window.
    let right = app.try_login("admin", crate::helpers::ADMIN_PASSWORD).await;
    assert_eq!(right.status(), 429);
}

#[tokio::test]
async fn sign_in_attempts_are_limited_per_address() {
    let app = spawn_app_with(Options {
        tweak: |raw| raw.login_max_attempts_per_address = 3,
        ..Options::default()
    })
    .await;
    for name in ["a1", "a2", "a3"] {
        assert_eq!(app.try_login(name, "wrong-password").await.status(), 401);
    }
    assert_eq!(app.try_login("a4", "wrong-password").await.status(), 429);
}

#[tokio::test]
async fn forged_identity_headers_from_clients_are_replaced() {
    let app = spawn_app_with(Options {
        allow_anonymous: true,
        ..Options::default()
    })
    .await;
    let response = app
        .client
        .get(app.url("/api/catalog/songs"))
        .header("x-tonearm-role", "admin")
        .header("x-tonearm-user", "root")
        .header("x-tonearm-session", "stolen")
        .send()
        .await
        .expect("request");
    let echo: serde_json::Value = response.json().await.expect("json");
    assert_eq!(echo["headers"]["x-tonearm-role"], "anonymous");
    assert!(echo["headers"].get("x-tonearm-user").is_none());
    assert!(echo["headers"].get("x-tonearm-session").is_none());
}

#[tokio::test]
async fn services_need_a_session_when_anonymous_is_off() {
    let app = spawn_app().await;
    for path in ["/api/catalog/songs", "/api/stream/songs/x", "/api/events/stats"] {
        let response = app.get(path, None).await;
        assert_eq!(response.status(), 401, "{path}");
        assert_eq!(error_code(response).await, "unauthorized");
    }
    assert_eq!(app.upstream.seen.requests.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn cross_origin_state_changes_are_refused() {
    let app = spawn_app().await;
    let cookie = app.admin_cookie().await;
    let evil = app
        .client
        .post(app.url("/api/catalog/songs"))
        .header("cookie", &cookie)
        .header("origin", "https://evil.example")
        .send()
        .await
        .expect("request");
    assert_eq!(evil.status(), 403);
    assert_eq!(error_code(evil).await, "cross_origin");
    let logout = app
        .client
        .post(app.url("/api/auth/logout"))
        .header("cookie", &cookie)
        .header("sec-fetch-site", "cross-site")
        .send()
        .await
        .expect("request");
    assert_eq!(logout.status(), 403);
    assert_eq!(
        app.get("/api/auth/me", Some(&cookie)).await.status(),
        200,
        "still signed in"
    );
    let same = app
        .client
        .post(app.url("/api/catalog/songs"))
        .header("cookie", &cookie)
        .header("origin", app.address.clone())
        .send()
        .await
        .expect("request");
    assert_eq!(same.status(), 200);
}

#[tokio::test]
async fn path_tricks_are_refused_before_routing() {
    let app = spawn_app_with(Options {
        allow_anonymous: true,
        ..Options::default()
    })
    .await;
    for path in [
        "/api/catalog/../admin/users",
        "/api/catalog/%2e%2e/admin/users",
        "/api/catalog/songs%2f..%2fadmin",
        "/api/catalog/songs%00.mp3",
        "/api/stream/..%5c..%5cetc",
    ] {
        let request = format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
        let answer = raw_request(app.port, &request).await;
        assert!(answer.starts_with("HTTP/1.1 400"), "{path}: {answer}");
        assert!(answer.contains("invalid_path"), "{path}: {answer}");
    }
    assert_eq!(app.upstream.seen.requests.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn oversized_json_bodies_are_refused() {
    let app = spawn_app().await;
    let big = "x".repeat(100 * 1024);
    let response = app.try_login("admin", &big).await;
    assert_eq!(response.status(), 413);
}

#[tokio::test]
async fn a_client_sending_headers_slowly_is_cut_off() {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let app = spawn_app().await;
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", app.port))
        .await
        .expect("connect");
    stream
        .write_all(b"GET / HTTP/1.1\r\nHost: x\r\n")
        .await
        .expect("write");
    let started = Instant::now();
    let mut buffer = Vec::new();
    // Keep trickling a header byte now and then, as slowloris does.
    let outcome = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            let mut chunk = [0_u8; 512];
            tokio::select! {
                read = stream.read(&mut chunk) => match read {
                    Ok(0) | Err(_) => break,
                    Ok(n) => buffer.extend_from_slice(&chunk[..n]),
                },
                () = tokio::time::sleep(Duration::from_millis(500)) => {
                    if stream.write_all(b"X").await.is_err() { break; }
                }
            }
        }
    })
    .await;
    assert!(outcome.is_ok(), "the connection stayed open");
    assert!(started.elapsed() < Duration::from_secs(8));
    let text = String::from_utf8_lossy(&buffer);
    assert!(text.is_empty() || text.starts_with("HTTP/1.1 408"), "{text}");
}

#[tokio::test]
async fn error_bodies_carry_the_request_id_and_nothing_internal() {
    let app = spawn_app().await;
    let response = app
        .client
        .get(app.url("/api/catalog/songs"))
        .header("x-request-id", "trace-me-123")
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 401);
    assert_eq!(response.headers()["x-request-id"], "trace-me-123");
    let body: serde_json::Value = response.json().await.expect("json");
    assert_eq!(body["error"]["request_id"], "trace-me-123");
}
