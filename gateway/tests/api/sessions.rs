//! Sessions: cookie attributes, Redis layout, sliding TTL, logout, disable.

use std::time::Duration;

use crate::helpers::{ADMIN_PASSWORD, Options, cookie_of, error_code, spawn_app, spawn_app_with};

async fn redis() -> redis::aio::MultiplexedConnection {
    redis::Client::open("redis://127.0.0.1:6379")
        .expect("client")
        .get_multiplexed_async_connection()
        .await
        .expect("redis")
}

#[tokio::test]
async fn the_cookie_is_http_only_lax_and_secure_only_over_https() {
    let app = spawn_app().await;
    let login = |proto: Option<&'static str>| {
        let mut request = app
            .client
            .post(app.url("/api/auth/login"))
            .json(&serde_json::json!({"username": "admin", "password": ADMIN_PASSWORD}));
        if let Some(proto) = proto {
            request = request.header("x-forwarded-proto", proto);
        }
        request.send()
    };
    let plain = login(None).await.expect("login");
    let cookie = plain.headers()["set-cookie"].to_str().expect("text").to_owned();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    assert!(!cookie.contains("Secure"), "{cookie}");
    let secure = login(Some("https")).await.expect("login");
    let cookie = secure.headers()["set-cookie"].to_str().expect("text").to_owned();
    assert!(cookie.contains("; Secure"), "{cookie}");
}

#[tokio::test]
async fn sessions_live_in_redis_under_the_documented_keys() {
    let app = spawn_app().await;
    let cookie = app.admin_cookie().await;
    let id = cookie.trim_start_matches("tonearm_session=");
    let mut redis = redis().await;
    let key = format!("{}auth:session:{id}", app.redis_prefix);
    let ttl: i64 = redis::cmd("TTL")
        .arg(&key)
        .query_async(&mut redis)
        .await
        .expect("ttl");
    assert!(ttl > 0, "the session key has a TTL");
    let me: serde_json::Value = app
        .get("/api/auth/me", Some(&cookie))
        .await
        .json()
        .await
        .expect("json");
    let set = format!(
        "{}auth:user:{}:sessions",
        app.redis_prefix,
        me["id"].as_str().expect("id")
    );
    let members: Vec<String> = redis::cmd("SMEMBERS")
        .arg(&set)
        .query_async(&mut redis)
        .await
        .expect("set");
    assert_eq!(members, vec![id.to_owned()]);
}

#[tokio::test]
async fn logout_ends_the_session_and_clears_the_cookie() {
    let app = spawn_app().await;
    let cookie = app.admin_cookie().await;
    let response = app
        .client
        .post(app.url("/api/auth/logout"))
        .header("cookie", &cookie)
        .send()
        .await
        .expect("logout");
    assert_eq!(response.status(), 204);
    assert_eq!(cookie_of(response.headers()).as_deref(), Some("tonearm_session="));
    let me = app.get("/api/auth/me", Some(&cookie)).await;
    assert_eq!(me.status(), 401);
    assert_eq!(error_code(me).await, "unauthorized");
}

#[tokio::test]
async fn expired_and_forged_cookies_are_signed_out() {
    let app = spawn_app_with(Options {
        tweak: |raw| raw.session_ttl_secs = 2,
        ..Options::default()
    })
    .await;
    let cookie = app.admin_cookie().await;
    // Sliding: each use extends the session past its first deadline.
    for _ in 0..3 {
        tokio::time::sleep(Duration::from_millis(900)).await;
        assert_eq!(app.get("/api/auth/me", Some(&cookie)).await.status(), 200);
    }
    tokio::time::sleep(Duration::from_millis(2300)).await;
    assert_eq!(app.get("/api/auth/me", Some(&cookie)).await.status(), 401);
    for forged in [
        format!("tonearm_session={}", "ab".repeat(32)),
        "tonearm_session=../../etc".to_owned(),
        "tonearm_session=".to_owned(),
    ] {
        assert_eq!(app.get("/api/auth/me", Some(&forged)).await.status(), 401);
        assert_eq!(app.get("/api/catalog/songs", Some(&forged)).await.status(), 401);
    }
}

#[tokio::test]
async fn disabling_a_user_ends_their_sessions_at_once() {
    let app = spawn_app().await;
    let admin = app.admin_cookie().await;
    let id = app.create_user(&admin, "ada", "listener-pass", "listener").await;
    let listener = app.login("ada", "listener-pass").await;
    assert_eq!(app.get("/api/catalog/songs", Some(&listener)).await.status(), 200);
    let response = app
        .client
        .patch(app.url(&format!("/api/admin/users/{id}")))
        .header("cookie", &admin)
        .json(&serde_json::json!({"disabled": true}))
        .send()
        .await
        .expect("disable");
    assert_eq!(response.status(), 200);
    assert_eq!(app.get("/api/catalog/songs", Some(&listener)).await.status(), 401);
    let again = app
        .client
        .post(app.url("/api/auth/login"))
        .json(&serde_json::json!({"username": "ada", "password": "listener-pass"}))
        .send()
        .await
        .expect("login");
    assert_eq!(again.status(), 401);
}
