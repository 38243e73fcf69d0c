//! Accounts: the first admin, own password, admin user management.

use crate::helpers::{ADMIN_PASSWORD, error_code, pool_for, spawn_app};

#[tokio::test]
async fn the_first_admin_is_created_once_and_can_sign_in() {
    let app = spawn_app().await;
    let cookie = app.admin_cookie().await;
    let me = app.me(&cookie).await;
    assert_eq!(me["username"], "admin");
    assert_eq!(me["role"], "admin");
    // Running the first-run step again (another start) changes nothing.
    let pool = pool_for(&app.schema).await;
    gateway::db::migrate(&pool)
        .await
        .expect("migrations are idempotent");
    gateway::db::ensure_admin(&pool, "").await.expect("idempotent");
    let admins: i64 = sqlx::query_scalar("SELECT count(*) FROM gateway_users")
        .fetch_one(&pool)
        .await
        .expect("count");
    assert_eq!(admins, 1);
    app.login("admin", ADMIN_PASSWORD).await;
}

#[tokio::test]
async fn without_a_configured_password_one_is_generated() {
    let app = spawn_app().await;
    let pool = pool_for(&app.schema).await;
    sqlx::query("DELETE FROM gateway_users")
        .execute(&pool)
        .await
        .expect("reset");
    gateway::db::ensure_admin(&pool, "").await.expect("creates");
    let hash: String = sqlx::query_scalar("SELECT password_hash FROM gateway_users WHERE username = 'admin'")
        .fetch_one(&pool)
        .await
        .expect("the admin");
    assert!(hash.starts_with("$argon2id$"));
    let wrong = app.try_login("admin", ADMIN_PASSWORD).await;
    assert_eq!(wrong.status(), 401);
}

#[tokio::test]
async fn admins_create_list_change_reset_and_delete_users() {
    let app = spawn_app().await;
    let admin = app.admin_cookie().await;
    let id = app.create_user(&admin, "Mia", "first-password", "listener").await;
    let duplicate = app
        .client
        .post(app.url("/api/admin/users"))
        .header("cookie", &admin)
        .json(&serde_json::json!({"username": "mia", "password": "another-one", "role": "listener"}))
        .send()
        .await
        .expect("request");
    assert_eq!(duplicate.status(), 409);
    let list: serde_json::Value = app
        .get("/api/admin/users", Some(&admin))
        .await
        .json()
        .await
        .expect("json");
    assert!(
        list.as_array()
            .expect("array")
            .iter()
            .any(|u| u["username"] == "mia")
    );
    assert!(
        !list.to_string().contains("argon2"),
        "hashes never leave the gateway"
    );

    assert_eq!(app.reset_password(&admin, &id, "second-password").await, 204);
    app.login("mia", "second-password").await;

    let promoted = app
        .client
        .patch(app.url(&format!("/api/admin/users/{id}")))
        .header("cookie", &admin)
        .json(&serde_json::json!({"role": "admin"}))
        .send()
        .await
        .expect("request");
    let body: serde_json::Value = promoted.json().await.expect("json");
    assert_eq!(body["role"], "admin");

    assert_eq!(app.delete_user(&admin, &id).await, 204);
    let gone = app.get(&format!("/api/admin/users/{id}"), Some(&admin)).await;
    assert_eq!(gone.status(), 404);
    let bad_id = app.get("/api/admin/users/not-a-uuid", Some(&admin)).await;
    assert_eq!(bad_id.status(), 400);
}

#[tokio::test]
async fn the_last_admin_cannot_be_disabled_or_deleted() {
    let app = spawn_app().await;
    let admin = app.admin_cookie().await;
    let id = app.user_id(&admin).await;
    let status = app
        .change_user(&admin, &id, serde_json::json!({"disabled": true}))
        .await;
    assert_eq!(status, 409);
}

#[tokio::test]
async fn users_change_their_own_password_and_their_other_sessions_end() {
    let app = spawn_app().await;
    let admin = app.admin_cookie().await;
    app.create_user(&admin, "noa", "old-password", "listener").await;
    let here = app.login("noa", "old-password").await;
    let elsewhere = app.login("noa", "old-password").await;
    let change = |current: &'static str, new: &'static str| {
        app.client
            .post(app.url("/api/auth/password"))
            .header("cookie", &here)
            .json(&serde_json::json!({"current_password": current, "new_password": new}))
            .send()
    };
    let wrong = change("not-my-password", "new-password").await.expect("request");
    assert_eq!(wrong.status(), 401);
    let short = change("old-password", "short").await.expect("request");
    assert_eq!(short.status(), 400);
    assert_eq!(error_code(short).await, "invalid_input");
    let ok = change("old-password", "new-password").await.expect("request");
    assert_eq!(ok.status(), 204);
    assert_eq!(app.get("/api/auth/me", Some(&here)).await.status(), 200);
    assert_eq!(app.get("/api/auth/me", Some(&elsewhere)).await.status(), 401);
    app.login("noa", "new-password").await;
}

#[tokio::test]
async fn a_listener_calling_an_admin_route_gets_403_and_a_stranger_401() {
    let app = spawn_app().await;
    let admin = app.admin_cookie().await;
    app.create_user(&admin, "leo", "listener-pass", "listener").await;
    let listener = app.login("leo", "listener-pass").await;
    let response = app.get("/api/admin/users", Some(&listener)).await;
    assert_eq!(response.status(), 403);
    assert_eq!(error_code(response).await, "forbidden");
    let stranger = app.get("/api/admin/users", None).await;
    assert_eq!(stranger.status(), 401);
}
