//! Disabling, deleting, demoting or resetting an account ends what it may
//! do, even for sessions the per-user session set no longer lists (a set
//! that expired before its sessions did, as it once could).

use std::time::Duration;

use crate::helpers::{Options, TestApp, pool_for, redis, spawn_app, spawn_app_with};

/// Forgets the user's session set in Redis, as an expired set would.
async fn lose_session_set(app: &TestApp, user: &str) {
    let mut redis = redis().await;
    let () = redis::cmd("DEL")
        .arg(format!("{}auth:user:{user}:sessions", app.redis_prefix))
        .query_async(&mut redis)
        .await
        .expect("del");
}

/// Changes the account in PostgreSQL directly: another gateway instance,
/// or any change whose session clean-up missed a session.
async fn sql(app: &TestApp, statement: &str, user: &str) {
    let pool = pool_for(&app.schema).await;
    sqlx::query(statement)
        .bind(uuid::Uuid::parse_str(user).expect("uuid"))
        .execute(&pool)
        .await
        .expect("update");
}

async fn status_until(app: &TestApp, path: &str, cookie: &str, expected: u16) -> u16 {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        let status = app.get(path, Some(cookie)).await.status().as_u16();
        if status == expected || tokio::time::Instant::now() > deadline {
            return status;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn disabling_a_user_ends_a_session_that_outlived_its_session_sets_first_ttl() {
    let app = spawn_app_with(Options {
        tweak: |raw| raw.session_ttl_secs = 3,
        ..Options::default()
    })
    .await;
    let admin = app.admin_cookie().await;
    let id = app.create_user(&admin, "ivy", "listener-pass", "listener").await;
    let listener = app.login("ivy", "listener-pass").await;
    // A fresh admin session: hashing and signing in may have taken a while.
    let admin = app.admin_cookie().await;
    // Both sessions slide well past the 3 s their sets were first given.
    for _ in 0..5 {
        tokio::time::sleep(Duration::from_millis(800)).await;
        assert_eq!(app.get("/api/catalog/songs", Some(&listener)).await.status(), 200);
        assert_eq!(app.get("/api/auth/me", Some(&admin)).await.status(), 200);
    }
    assert_eq!(
        app.change_user(&admin, &id, serde_json::json!({"disabled": true}))
            .await,
        200
    );
    assert_eq!(app.get("/api/catalog/songs", Some(&listener)).await.status(), 401);
}

#[tokio::test]
async fn deleting_a_user_whose_session_set_was_lost_ends_their_access() {
    let app = spawn_app().await;
    let admin = app.admin_cookie().await;
    let id = app.create_user(&admin, "jay", "listener-pass", "listener").await;
    let listener = app.login("jay", "listener-pass").await;
    lose_session_set(&app, &id).await;
    assert_eq!(app.delete_user(&admin, &id).await, 204);
    assert_eq!(app.get("/api/catalog/songs", Some(&listener)).await.status(), 401);
    assert_eq!(app.get("/api/auth/me", Some(&listener)).await.status(), 401);
}

#[tokio::test]
async fn resetting_a_password_ends_a_session_whose_set_was_lost() {
    let app = spawn_app().await;
    let admin = app.admin_cookie().await;
    let id = app.create_user(&admin, "kim", "listener-pass", "listener").await;
    let listener = app.login("kim", "listener-pass").await;
    lose_session_set(&app, &id).await;
    // The session is still in use after its set is gone.
    assert_eq!(app.get("/api/catalog/songs", Some(&listener)).await.status(), 200);
    assert_eq!(app.reset_password(&admin, &id, "a-new-password").await, 204);
    assert_eq!(app.get("/api/catalog/songs", Some(&listener)).await.status(), 401);
}

#[tokio::test]
async fn a_demoted_admin_is_refused_admin_actions_at_once_even_with_an_old_session() {
    let app = spawn_app().await;
    let admin = app.admin_cookie().await;
    let id = app.create_user(&admin, "lee", "second-admin", "admin").await;
    let second = app.login("lee", "second-admin").await;
    assert_eq!(app.get("/api/admin/users", Some(&second)).await.status(), 200);
    sql(
        &app,
        "UPDATE gateway_users SET role = 'listener' WHERE id = $1",
        &id,
    )
    .await;
    let refused = app.get("/api/admin/users", Some(&second)).await;
    assert_eq!(refused.status(), 403);
    let create = app
        .client
        .post(app.url("/api/admin/users"))
        .header("cookie", &second)
        .json(&serde_json::json!({"username": "mallory", "password": "mallory-pass", "role": "admin"}))
        .send()
        .await
        .expect("create");
    assert_eq!(create.status(), 403);
    // The services are told the current role too (within the cache time).
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        let echo: serde_json::Value = app
            .get("/api/catalog/songs", Some(&second))
            .await
            .json()
            .await
            .expect("json");
        if echo["headers"]["x-tonearm-role"] == "listener" {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "still admin upstream: {echo}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let me: serde_json::Value = app
        .get("/api/auth/me", Some(&second))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(me["role"], "listener");
}

#[tokio::test]
async fn a_user_disabled_behind_the_gateways_back_loses_access_within_seconds() {
    let app = spawn_app_with(Options {
        tweak: |raw| raw.account_cache_ms = 500,
        ..Options::default()
    })
    .await;
    let admin = app.admin_cookie().await;
    let id = app.create_user(&admin, "max", "listener-pass", "listener").await;
    let listener = app.login("max", "listener-pass").await;
    assert_eq!(app.get("/api/catalog/songs", Some(&listener)).await.status(), 200);
    sql(
        &app,
        "UPDATE gateway_users SET disabled = true WHERE id = $1",
        &id,
    )
    .await;
    assert_eq!(
        status_until(&app, "/api/catalog/songs", &listener, 401).await,
        401
    );
    // The session itself is ended, so re-enabling does not bring it back.
    sql(
        &app,
        "UPDATE gateway_users SET disabled = false WHERE id = $1",
        &id,
    )
    .await;
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(app.get("/api/auth/me", Some(&listener)).await.status(), 401);
}
