//! Sessions: cookie attributes, Redis layout, sliding TTL, logout, disable.

use std::time::Duration;

use common::test_support::gateway::session_cookie;
use reqwest::Method;

use crate::helpers::{ADMIN_PASSWORD, Options, error_code, redis, spawn_app, spawn_app_with};

async fn login_as_admin(app: &crate::helpers::TestApp, proto: Option<&str>) -> String {
    let mut request = app
        .client
        .post(app.url("/api/auth/login"))
        .json(&serde_json::json!({"username": "admin", "password": ADMIN_PASSWORD}));
    if let Some(proto) = proto {
        request = request.header("x-forwarded-proto", proto);
    }
    let response = request.send().await.expect("login");
    assert_eq!(response.status(), 200);
    response.headers()["set-cookie"]
        .to_str()
        .expect("text")
        .to_owned()
}

#[tokio::test]
async fn over_plain_http_the_cookie_is_http_only_lax_and_not_secure_even_if_the_client_claims_https() {
    let app = spawn_app().await;
    for proto in [None, Some("https")] {
        // The test client is not a trusted proxy: its X-Forwarded-Proto means nothing.
        let cookie = login_as_admin(&app, proto).await;
        assert!(cookie.starts_with("tonearm_session="), "{cookie}");
        assert!(
            cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.contains("Path=/"),
            "{cookie}"
        );
        assert!(!cookie.contains("Secure"), "{cookie}");
    }
}

#[tokio::test]
async fn over_https_the_cookie_is_host_prefixed_so_no_subdomain_or_http_page_can_plant_one() {
    let app = spawn_app_with(Options {
        tweak: |raw| raw.trusted_proxies = crate::helpers::LOOPBACK.into(),
        ..Options::default()
    })
    .await;
    let set_cookie = login_as_admin(&app, Some("https")).await;
    assert!(set_cookie.starts_with("__Host-tonearm_session="), "{set_cookie}");
    for attribute in ["; Secure", "; Path=/", "; HttpOnly", "; SameSite=Lax"] {
        assert!(set_cookie.contains(attribute), "{attribute} in {set_cookie}");
    }
    assert!(
        !set_cookie.to_ascii_lowercase().contains("domain="),
        "{set_cookie}"
    );
    let cookie = set_cookie.split(';').next().expect("pair").to_owned();
    let me = |cookie: String| {
        app.client
            .get(app.url("/api/auth/me"))
            .header("cookie", cookie)
            .header("x-forwarded-proto", "https")
            .send()
    };
    assert_eq!(me(cookie.clone()).await.expect("me").status(), 200);
    // A plain-named cookie (one an http page or a subdomain could set) is not read over https.
    let id = cookie.trim_start_matches("__Host-tonearm_session=");
    let planted = me(format!("tonearm_session={id}")).await.expect("me");
    assert_eq!(planted.status(), 401);
    let logout = app
        .client
        .post(app.url("/api/auth/logout"))
        .header("cookie", &cookie)
        .header("x-forwarded-proto", "https")
        .send()
        .await
        .expect("logout");
    let cleared = logout.headers()["set-cookie"].to_str().expect("text");
    assert!(cleared.starts_with("__Host-tonearm_session=;"), "{cleared}");
    assert!(
        cleared.contains("Max-Age=0") && cleared.contains("; Secure"),
        "{cleared}"
    );
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
    let me = app.me(&cookie).await;
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
        .send(Method::POST, "/api/auth/logout", Some(&cookie), None)
        .await;
    assert_eq!(response.status(), 204);
    assert_eq!(
        session_cookie(response.headers()).as_deref(),
        Some("tonearm_session=")
    );
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
    let status = app
        .change_user(&admin, &id, serde_json::json!({"disabled": true}))
        .await;
    assert_eq!(status, 200);
    assert_eq!(app.get("/api/catalog/songs", Some(&listener)).await.status(), 401);
    let again = app.try_login("ada", "listener-pass").await;
    assert_eq!(again.status(), 401);
}

#[tokio::test]
async fn a_users_session_set_outlives_each_of_their_sessions_as_they_slide() {
    let app = spawn_app().await;
    let cookie = app.admin_cookie().await;
    let id = cookie.trim_start_matches("tonearm_session=").to_owned();
    let user = app.user_id(&cookie).await;
    let set = format!("{}auth:user:{user}:sessions", app.redis_prefix);
    let session = format!("{}auth:session:{id}", app.redis_prefix);
    let mut redis = redis().await;
    // The set about to expire long before the session (what the first
    // login's TTL did once the session had slid for a while)...
    let () = redis::cmd("EXPIRE")
        .arg(&set)
        .arg(1)
        .query_async(&mut redis)
        .await
        .expect("expire");
    assert_eq!(app.get("/api/auth/me", Some(&cookie)).await.status(), 200);
    let reader = redis.clone();
    let ttl = |key: String| {
        let mut redis = reader.clone();
        async move {
            redis::cmd("TTL")
                .arg(key)
                .query_async::<i64>(&mut redis)
                .await
                .expect("ttl")
        }
    };
    // ...is kept alive by the session's next use.
    assert!(ttl(set.clone()).await >= ttl(session.clone()).await);
    // A set lost altogether gets the session back on its next use.
    let () = redis::cmd("DEL")
        .arg(&set)
        .query_async(&mut redis)
        .await
        .expect("del");
    assert_eq!(app.get("/api/auth/me", Some(&cookie)).await.status(), 200);
    let members: Vec<String> = redis::cmd("SMEMBERS")
        .arg(&set)
        .query_async(&mut redis)
        .await
        .expect("set");
    assert_eq!(members, vec![id]);
    assert!(ttl(set).await > 0);
}
