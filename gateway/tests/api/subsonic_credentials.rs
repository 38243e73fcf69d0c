//! The Subsonic credentials a user manages: API keys and the app password
//! of token authentication.

use reqwest::Method;
use serde_json::Value;

use crate::{
    helpers::{ADMIN_PASSWORD, Options, TestApp, pool_for, spawn_app_with},
    subsonic_auth::{app, code, md5_hex, rest},
};

pub async fn create_key(app: &TestApp, cookie: &str) -> (String, String) {
    let body = serde_json::json!({ "name": "phone" });
    let response = app
        .send(Method::POST, "/api/auth/api-keys", Some(cookie), Some(body))
        .await;
    assert_eq!(response.status(), 201);
    let body: Value = response.json().await.expect("json");
    (
        body["id"].as_str().expect("id").to_owned(),
        body["key"].as_str().expect("key").to_owned(),
    )
}

#[tokio::test]
async fn an_api_key_signs_its_owner_in_until_it_is_revoked() {
    let app = app().await;
    let admin = app.admin_cookie().await;
    app.create_user(&admin, "listener", "listener-password", "listener")
        .await;
    let cookie = app.login("listener", "listener-password").await;
    let (id, key) = create_key(&app, &cookie).await;

    let user = rest(&app, "getUser", &[("apiKey", &key), ("username", "listener")]).await;
    assert_eq!(user["user"]["username"], "listener");
    assert_eq!(user["user"]["adminRole"], false);
    // Listed without the key; stored only as a hash.
    let listed: Value = app
        .get("/api/auth/api-keys", Some(&cookie))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(listed[0]["id"], id.as_str());
    assert!(listed[0].get("key").is_none());
    assert!(listed[0]["last_used_at"].is_string(), "{listed}");
    let pool = pool_for(&app.schema).await;
    let stored: Vec<u8> = sqlx::query_scalar("SELECT key_hash FROM gateway_api_keys")
        .fetch_one(&pool)
        .await
        .expect("row");
    assert_ne!(stored, key.as_bytes());
    // Another user cannot revoke it.
    let other = app
        .send(
            Method::DELETE,
            &format!("/api/auth/api-keys/{id}"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(other.status(), 404);
    let revoked = app
        .send(
            Method::DELETE,
            &format!("/api/auth/api-keys/{id}"),
            Some(&cookie),
            None,
        )
        .await;
    assert_eq!(revoked.status(), 204);
    assert_eq!(code(&rest(&app, "ping", &[("apiKey", &key)]).await), 44);
    assert_eq!(code(&rest(&app, "ping", &[("apiKey", "0123")]).await), 44);
}

#[tokio::test]
async fn token_auth_checks_the_app_password_never_the_sign_in_password() {
    let app = app().await;
    let salt = "c19b2d";
    let with_sign_in_password = md5_hex(&format!("{ADMIN_PASSWORD}{salt}"));
    let params = [("u", "admin"), ("t", with_sign_in_password.as_str()), ("s", salt)];
    // No app password yet: 41, exactly as for a name that does not exist
    // (the codes do not tell which accounts exist).
    assert_eq!(code(&rest(&app, "ping", &params).await), 41);
    let unknown = [
        ("u", "nobody"),
        ("t", with_sign_in_password.as_str()),
        ("s", salt),
    ];
    assert_eq!(code(&rest(&app, "ping", &unknown).await), 41);

    let cookie = app.admin_cookie().await;
    let response = app
        .send(Method::POST, "/api/auth/app-password", Some(&cookie), None)
        .await;
    assert_eq!(response.status(), 201);
    let body: Value = response.json().await.expect("json");
    let app_password = body["password"].as_str().expect("password").to_owned();

    let token = md5_hex(&format!("{app_password}{salt}"));
    let good = [("u", "admin"), ("t", token.as_str()), ("s", salt)];
    assert_eq!(rest(&app, "ping", &good).await["status"], "ok");
    // The sign-in password's token is wrong once an app password exists.
    assert_eq!(code(&rest(&app, "ping", &params).await), 40);
    // Stored sealed, not in clear.
    let pool = pool_for(&app.schema).await;
    let sealed: Vec<u8> = sqlx::query_scalar("SELECT ciphertext FROM gateway_app_passwords")
        .fetch_one(&pool)
        .await
        .expect("row");
    assert!(
        !sealed
            .windows(app_password.len())
            .any(|window| window == app_password.as_bytes())
    );
}

#[tokio::test]
async fn token_auth_on_a_server_without_a_secret_key_is_error_42() {
    let app = spawn_app_with(Options::default()).await;
    let params = [
        ("u", "admin"),
        ("t", "26719a1196d2a940705a59634eb18eab"),
        ("s", "c19b2d"),
    ];
    assert_eq!(code(&rest(&app, "ping", &params).await), 42);
    let cookie = app.admin_cookie().await;
    let response = app
        .send(Method::POST, "/api/auth/app-password", Some(&cookie), None)
        .await;
    assert_eq!(response.status(), 409);
}
