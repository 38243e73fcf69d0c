//! Sign-in limits against attackers who forge their address or try to
//! lock the real owner out.

use crate::helpers::{ADMIN_PASSWORD, LOOPBACK, Options, TestApp, error_code, spawn_app_with};

/// A sign-in attempt as relayed by a proxy that says the client is `forwarded_for`.
async fn attempt(app: &TestApp, forwarded_for: &str, username: &str, password: &str) -> reqwest::Response {
    app.client
        .post(app.url("/api/auth/login"))
        .header("x-forwarded-for", forwarded_for)
        .json(&serde_json::json!({"username": username, "password": password}))
        .send()
        .await
        .expect("login request")
}

fn retry_after(response: &reqwest::Response) -> u64 {
    response.headers()["retry-after"]
        .to_str()
        .expect("text")
        .parse()
        .expect("seconds")
}

#[tokio::test]
async fn behind_a_trusted_proxy_a_forged_x_forwarded_for_does_not_dodge_the_address_limit() {
    let app = spawn_app_with(Options {
        tweak: |raw| {
            raw.trusted_proxies = LOOPBACK.into();
            raw.login_max_attempts_per_address = 3;
        },
        ..Options::default()
    })
    .await;
    // The client writes a new address each time; the proxy appends the real one.
    for i in 1..=3 {
        let forged = format!("10.9.8.{i}, 203.0.113.7");
        let response = attempt(&app, &forged, &format!("user{i}"), "wrong-password").await;
        assert_eq!(response.status(), 401);
    }
    let limited = attempt(&app, "10.9.8.4, 203.0.113.7", "user4", "wrong-password").await;
    assert_eq!(limited.status(), 429);
    assert_eq!(error_code(limited).await, "rate_limited");
    // Another real client behind the same proxy is not held back.
    let other = attempt(&app, "10.9.8.4, 198.51.100.20", "user5", "wrong-password").await;
    assert_eq!(other.status(), 401);
}

#[tokio::test]
async fn a_client_that_is_not_a_trusted_proxy_cannot_choose_its_address() {
    let app = spawn_app_with(Options {
        tweak: |raw| {
            raw.trusted_proxies = "10.0.0.0/8".into();
            raw.login_max_attempts_per_address = 3;
        },
        ..Options::default()
    })
    .await;
    for i in 1..=3 {
        let response = attempt(
            &app,
            &format!("203.0.113.{i}"),
            &format!("user{i}"),
            "wrong-password",
        )
        .await;
        assert_eq!(response.status(), 401);
    }
    let limited = attempt(&app, "203.0.113.99", "user4", "wrong-password").await;
    assert_eq!(limited.status(), 429);
}

#[tokio::test]
async fn services_are_told_the_real_client_address_not_a_forged_one() {
    let app = spawn_app_with(Options {
        allow_anonymous: true,
        ..Options::default()
    })
    .await;
    let echo: serde_json::Value = app
        .client
        .get(app.url("/api/catalog/songs"))
        .header("x-forwarded-for", "203.0.113.9")
        .header("x-forwarded-proto", "https")
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("json");
    assert_eq!(echo["headers"]["x-forwarded-for"], "127.0.0.1");
    assert_eq!(echo["headers"]["x-forwarded-proto"], "http");
}

#[tokio::test]
async fn an_attacker_hammering_an_account_does_not_lock_its_owner_out_from_another_address() {
    let app = spawn_app_with(Options {
        tweak: |raw| raw.trusted_proxies = LOOPBACK.into(),
        ..Options::default()
    })
    .await;
    let attacker = "198.51.100.66";
    let mut refused = 0;
    for _ in 0..8 {
        match attempt(&app, attacker, "admin", "guess-password")
            .await
            .status()
            .as_u16()
        {
            401 => {}
            429 => refused += 1,
            other => panic!("unexpected status {other}"),
        }
    }
    assert!(refused >= 3, "the attacker was slowed ({refused} refused)");
    // The right password from the attacker's address still waits...
    let attacker_right = attempt(&app, attacker, "admin", ADMIN_PASSWORD).await;
    assert_eq!(attacker_right.status(), 429);
    assert!(retry_after(&attacker_right) > 0);
    // ...while the owner, from an address that has not failed, signs in.
    let owner = attempt(&app, "203.0.113.10", "admin", ADMIN_PASSWORD).await;
    assert_eq!(owner.status(), 200);
}

#[tokio::test]
async fn once_an_account_is_under_attack_each_new_address_is_slowed_after_one_failure() {
    let app = spawn_app_with(Options {
        tweak: |raw| raw.trusted_proxies = LOOPBACK.into(),
        ..Options::default()
    })
    .await;
    // Five failures from five addresses reach the account's limit.
    for i in 1..=5 {
        let response = attempt(&app, &format!("198.51.100.{i}"), "admin", "guess-password").await;
        assert_eq!(response.status(), 401);
    }
    // A sixth address gets one try, then waits before the next.
    assert_eq!(
        attempt(&app, "198.51.100.6", "admin", "guess-password")
            .await
            .status(),
        401
    );
    let slowed = attempt(&app, "198.51.100.6", "admin", "guess-password").await;
    assert_eq!(slowed.status(), 429);
    assert!(
        (1..=2).contains(&retry_after(&slowed)),
        "{}",
        retry_after(&slowed)
    );
    // The owner's clean address is not slowed at all.
    assert_eq!(
        attempt(&app, "203.0.113.10", "admin", ADMIN_PASSWORD)
            .await
            .status(),
        200
    );
}
