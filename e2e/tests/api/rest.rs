//! `/rest` calls (the Subsonic API) and what their answers hold.

use serde_json::Value;

use crate::helpers::{ADMIN_PASSWORD, TestApp};

impl TestApp {
    /// `/rest/<method>` as admin with a plain password, as JSON.
    pub async fn json(&self, method: &str, params: &[(&str, &str)]) -> Value {
        self.call(method, params, "json")
            .await
            .json()
            .await
            .expect("a JSON answer")
    }

    /// `/rest/<method>` as admin in the format `f`.
    pub async fn call(&self, method: &str, params: &[(&str, &str)], f: &str) -> reqwest::Response {
        let credentials = [("u", "admin"), ("p", ADMIN_PASSWORD), ("f", f)];
        self.rest(method, &credentials, params).await
    }

    /// `/rest/<method>` as `user` with a plain password, as JSON.
    pub async fn json_as(&self, user: &str, password: &str, method: &str, params: &[(&str, &str)]) -> Value {
        let credentials = [("u", user), ("p", password), ("f", "json")];
        let response = self.rest(method, &credentials, params).await;
        response.json().await.expect("a JSON answer")
    }

    /// `/rest/<method>` with an API key, as JSON.
    pub async fn keyed(&self, key: &str, method: &str, params: &[(&str, &str)]) -> Value {
        let credentials = [("apiKey", key), ("f", "json")];
        let response = self.rest(method, &credentials, params).await;
        response.json().await.expect("a JSON answer")
    }

    async fn rest(
        &self,
        method: &str,
        credentials: &[(&str, &str)],
        params: &[(&str, &str)],
    ) -> reqwest::Response {
        let mut query = vec![("v", "1.16.1"), ("c", "tests")];
        query.extend_from_slice(credentials);
        query.extend_from_slice(params);
        self.client
            .get(self.url(&format!("/rest/{method}")))
            .query(&query)
            .send()
            .await
            .expect("rest call")
    }
}

/// The `subsonic-response` of a successful answer (panics on a failure).
pub fn ok(body: &Value) -> &Value {
    let response = &body["subsonic-response"];
    assert_eq!(response["status"], "ok", "{body}");
    response
}

/// The error code of a failed answer (panics on success).
pub fn error_code(body: &Value) -> &Value {
    assert_eq!(body["subsonic-response"]["status"], "failed", "{body}");
    &body["subsonic-response"]["error"]["code"]
}

/// `key` of every item of a list (none for a missing list).
pub fn names(items: &Value, key: &str) -> Vec<String> {
    items
        .as_array()
        .map(|items| {
            items
                .iter()
                .map(|item| item[key].as_str().expect("a name").to_owned())
                .collect()
        })
        .unwrap_or_default()
}
