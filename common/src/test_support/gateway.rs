//! Accounts through a running gateway: signing in and creating users.

use reqwest::header::HeaderMap;

/// `tonearm_session=<id>` from a `Set-Cookie` header.
pub fn session_cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .find(|value| value.starts_with("tonearm_session="))
        .and_then(|value| value.split(';').next())
        .map(str::to_owned)
}

/// Signs in at the gateway `base`; returns the `Cookie` header value to send
/// afterwards.
pub async fn sign_in(client: &reqwest::Client, base: &str, username: &str, password: &str) -> String {
    let response = client
        .post(format!("{base}/api/auth/login"))
        .json(&serde_json::json!({ "username": username, "password": password }))
        .send()
        .await
        .expect("login request");
    assert_eq!(response.status(), 200, "login of {username} failed");
    session_cookie(response.headers()).expect("a session cookie")
}

/// Creates a user as the admin signed in with `admin`; returns its id.
pub async fn create_user(
    client: &reqwest::Client,
    base: &str,
    admin: &str,
    account: (&str, &str, &str),
) -> String {
    let (username, password, role) = account;
    let response = client
        .post(format!("{base}/api/admin/users"))
        .header("cookie", admin)
        .json(&serde_json::json!({ "username": username, "password": password, "role": role }))
        .send()
        .await
        .expect("create user");
    assert_eq!(response.status(), 201, "creating {username}");
    let body: serde_json::Value = response.json().await.expect("json");
    body["id"].as_str().expect("id").to_owned()
}
