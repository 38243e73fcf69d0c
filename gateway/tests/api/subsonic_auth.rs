//! Who may call `/rest`: each Subsonic authentication mode, each error
//! code, the envelope's forms, and the sign-in limits.

use md5::{Digest as _, Md5};

use crate::subsonic_credentials::create_key;
use serde_json::Value;

use crate::helpers::{ADMIN_PASSWORD, Options, TestApp, spawn_app_with};

const SECRET_KEY: &str = "a secret key for the tests";

pub async fn app() -> TestApp {
    spawn_app_with(Options {
        tweak: |raw| raw.secret_key = SECRET_KEY.into(),
        ..Options::default()
    })
    .await
}

pub async fn rest(app: &TestApp, method: &str, params: &[(&str, &str)]) -> Value {
    let mut query = vec![("f", "json"), ("v", "1.16.1"), ("c", "tests")];
    query.extend_from_slice(params);
    let response = app
        .client
        .get(app.url(&format!("/rest/{method}")))
        .query(&query)
        .send()
        .await
        .expect("rest call");
    assert_eq!(response.status(), 200, "Subsonic errors travel in a 200");
    let body: Value = response.json().await.expect("json");
    body["subsonic-response"].clone()
}

/// The error code of a failed answer (panics on success).
pub fn code(response: &Value) -> i64 {
    assert_eq!(response["status"], "failed", "{response}");
    response["error"]["code"].as_i64().expect("a code")
}

pub fn md5_hex(text: &str) -> String {
    Md5::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn hex(text: &str) -> String {
    text.bytes().map(|b| format!("{b:02x}")).collect()
}

#[tokio::test]
async fn plain_and_hex_passwords_sign_in_and_a_wrong_one_is_error_40() {
    let app = app().await;
    let ok = rest(&app, "ping", &[("u", "admin"), ("p", ADMIN_PASSWORD)]).await;
    assert_eq!(ok["status"], "ok");
    assert_eq!(ok["version"], "1.16.1");
    assert_eq!(ok["type"], "tonearm");
    assert_eq!(ok["openSubsonic"], true);
    assert!(ok["serverVersion"].is_string());
    let encoded = format!("enc:{}", hex(ADMIN_PASSWORD));
    assert_eq!(
        rest(&app, "ping.view", &[("u", "admin"), ("p", &encoded)]).await["status"],
        "ok"
    );
    assert_eq!(
        code(&rest(&app, "ping", &[("u", "admin"), ("p", "wrong-password")]).await),
        40
    );
    assert_eq!(
        code(&rest(&app, "ping", &[("u", "nobody"), ("p", "wrong-password")]).await),
        40
    );
}

#[tokio::test]
async fn missing_credentials_are_error_10_and_the_extensions_need_none() {
    let app = app().await;
    assert_eq!(code(&rest(&app, "ping", &[]).await), 10);
    assert_eq!(code(&rest(&app, "ping", &[("u", "admin")]).await), 10);
    assert_eq!(
        code(&rest(&app, "ping", &[("u", "admin"), ("t", "abc")]).await),
        10
    );
    let extensions = rest(&app, "getOpenSubsonicExtensions", &[]).await;
    let names: Vec<&str> = extensions["openSubsonicExtensions"]
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|extension| extension["name"].as_str())
        .collect();
    assert!(
        names.contains(&"apiKeyAuthentication") && names.contains(&"formPost"),
        "{names:?}"
    );
}

#[tokio::test]
async fn unknown_methods_are_error_0_and_missing_parameters_error_10() {
    let app = app().await;
    let admin = [("u", "admin"), ("p", ADMIN_PASSWORD)];
    assert_eq!(code(&rest(&app, "createPlaylist", &admin).await), 10);
    assert_eq!(code(&rest(&app, "star.view", &admin).await), 10);
    assert_eq!(code(&rest(&app, "noSuchMethod", &admin).await), 0);
}

#[tokio::test]
async fn mixing_mechanisms_is_error_43() {
    let app = app().await;
    let mixed = [
        vec![("u", "admin"), ("apiKey", "whatever")],
        vec![("apiKey", "whatever"), ("p", ADMIN_PASSWORD)],
        vec![("u", "admin"), ("p", ADMIN_PASSWORD), ("t", "abc"), ("s", "salt")],
    ];
    for params in mixed {
        assert_eq!(code(&rest(&app, "ping", &params).await), 43, "{params:?}");
    }
}

#[tokio::test]
async fn a_listener_asking_for_another_user_is_error_50() {
    let app = app().await;
    let admin = app.admin_cookie().await;
    app.create_user(&admin, "listener", "listener-password", "listener")
        .await;
    let params = [
        ("u", "listener"),
        ("p", "listener-password"),
        ("username", "admin"),
    ];
    assert_eq!(code(&rest(&app, "getUser", &params).await), 50);
    let params = [("u", "admin"), ("p", ADMIN_PASSWORD), ("username", "listener")];
    assert_eq!(
        rest(&app, "getUser", &params).await["user"]["username"],
        "listener"
    );
}

#[tokio::test]
async fn a_disabled_account_is_refused_even_with_a_valid_api_key() {
    let app = app().await;
    let admin = app.admin_cookie().await;
    let id = app
        .create_user(&admin, "listener", "listener-password", "listener")
        .await;
    let cookie = app.login("listener", "listener-password").await;
    let (_, key) = create_key(&app, &cookie).await;
    assert_eq!(rest(&app, "ping", &[("apiKey", &key)]).await["status"], "ok");
    assert_eq!(
        app.change_user(&admin, &id, serde_json::json!({"disabled": true}))
            .await,
        200
    );
    assert_eq!(code(&rest(&app, "ping", &[("apiKey", &key)]).await), 40);
    let params = [("u", "listener"), ("p", "listener-password")];
    assert_eq!(code(&rest(&app, "ping", &params).await), 40);
}

#[tokio::test]
async fn password_guessing_through_rest_counts_against_the_sign_in_limits() {
    let app = spawn_app_with(Options {
        tweak: |raw| raw.login_max_attempts_per_account = 2,
        ..Options::default()
    })
    .await;
    for _ in 0..3 {
        rest(&app, "ping", &[("u", "admin"), ("p", "guess-password")]).await;
    }
    // Under backoff even the right password is refused from this address...
    let refused = rest(&app, "ping", &[("u", "admin"), ("p", ADMIN_PASSWORD)]).await;
    assert_eq!(code(&refused), 40);
    assert!(
        refused["error"]["message"]
            .as_str()
            .expect("message")
            .contains("too many")
    );
    // ...and so is the web sign-in.
    let login = app.try_login("admin", ADMIN_PASSWORD).await;
    assert_eq!(login.status(), 429);
}

#[tokio::test]
async fn form_posts_jsonp_and_xml_share_one_envelope() {
    let app = app().await;
    let form = format!("u=admin&p={ADMIN_PASSWORD}&f=json");
    let posted = app
        .client
        .post(app.url("/rest/ping.view"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form)
        .send()
        .await
        .expect("post");
    let body: Value = posted.json().await.expect("json");
    assert_eq!(body["subsonic-response"]["status"], "ok");

    let jsonp = app
        .client
        .get(app.url("/rest/ping"))
        .query(&[
            ("u", "admin"),
            ("p", ADMIN_PASSWORD),
            ("f", "jsonp"),
            ("callback", "handle"),
        ])
        .send()
        .await
        .expect("jsonp");
    assert!(
        jsonp.headers()["content-type"]
            .to_str()
            .expect("text")
            .starts_with("application/javascript")
    );
    let text = jsonp.text().await.expect("text");
    assert!(
        text.starts_with("handle({\"subsonic-response\":") && text.ends_with(");"),
        "{text}"
    );

    let xml = app
        .client
        .get(app.url("/rest/ping"))
        .query(&[("u", "admin"), ("p", "wrong-password")])
        .send()
        .await
        .expect("xml")
        .text()
        .await
        .expect("text");
    assert!(xml.starts_with("<?xml"), "{xml}");
    assert!(
        xml.contains(r#"status="failed""#) && xml.contains(r#"<error code="40""#),
        "{xml}"
    );
    assert!(xml.contains(r#"xmlns="http://subsonic.org/restapi""#), "{xml}");
}

#[tokio::test]
async fn a_rest_password_never_reaches_the_stream_service_but_the_vouched_identity_does() {
    let app = app().await;
    let admin = app.admin_cookie().await;
    let listener_id = app
        .create_user(&admin, "listener", "listener-password", "listener")
        .await;
    let song = uuid::Uuid::new_v4().to_string();
    // A form POST (as formPost apps send) with the credentials in the body.
    let form = format!("u=listener&p=listener-password&id={song}&maxBitRate=128");
    let seen: Value = app
        .client
        .post(app.url("/rest/stream"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("x-tonearm-role", "admin")
        .body(form)
        .send()
        .await
        .expect("stream")
        .json()
        .await
        .expect("the stand-in service's echo");
    assert_eq!(seen["method"], "GET");
    assert_eq!(
        seen["path"],
        format!("/api/stream/songs/{song}?format=mp3&bitrate=128")
    );
    assert_eq!(seen["body_len"], 0);
    let headers = &seen["headers"];
    assert!(!seen.to_string().contains("listener-password"), "{seen}");
    assert_eq!(headers["x-tonearm-user"], listener_id.as_str());
    // The role the client claimed is dropped; the account's is sent.
    assert_eq!(headers["x-tonearm-role"], "listener");
    assert_eq!(
        headers["x-tonearm-internal-token"],
        crate::helpers::INTERNAL_TOKEN
    );
    assert!(headers.get("content-length").is_none() && headers.get("content-type").is_none());
}
