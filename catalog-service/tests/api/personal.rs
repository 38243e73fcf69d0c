//! Shared by the tests of favourites, playlists and the play queue: a small
//! library and requests made as one signed-in user (as the gateway sends
//! them: `x-tonearm-user` with the internal token).

use reqwest::{Method, Response, StatusCode};
use serde_json::Value;

use crate::{
    audio::{Tags, make},
    helpers::{TestApp, spawn_app_with_music},
};

/// Four songs by two artists on two albums (file name = title).
pub async fn library() -> TestApp {
    spawn_app_with_music(|dir| {
        for (title, artist, album) in [
            ("One", "Ann", "First"),
            ("Two", "Ann", "First"),
            ("Three", "Bob", "Second"),
            ("Four", "Bob", "Second"),
        ] {
            make(dir, &format!("{title}.mp3"), &Tags::song(title, artist, album));
        }
    })
    .await
}

/// Requests as one user.
pub struct As<'a> {
    pub app: &'a TestApp,
    pub user: &'a str,
}

impl<'a> As<'a> {
    /// Requests to `app` as the user whose id is `user`.
    pub fn user(app: &'a TestApp, user: &'a str) -> Self {
        Self { app, user }
    }

    pub async fn send(&self, method: Method, path: &str, body: Option<Value>) -> Response {
        let mut request = self
            .app
            .client
            .request(method, self.app.url(path))
            .header("x-tonearm-user", self.user)
            .header("x-tonearm-role", "listener");
        if let Some(body) = body {
            request = request.json(&body);
        }
        request.send().await.expect("request sent")
    }

    /// A request that must answer `status`; its JSON body, if any.
    pub async fn expect(&self, method: Method, path: &str, body: Option<Value>, status: StatusCode) -> Value {
        let response = self.send(method.clone(), path, body).await;
        let got = response.status();
        let text = response.text().await.expect("a body");
        assert_eq!(got, status, "{method} {path}: {text}");
        if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).expect("JSON")
        }
    }

    pub async fn get(&self, path: &str) -> Value {
        self.expect(Method::GET, path, None, StatusCode::OK).await
    }
}

/// The id of the song titled `title`.
pub async fn song_id(app: &TestApp, title: &str) -> String {
    let page = app.get_json("songs?limit=500").await;
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|song| song["title"] == title)
        .and_then(|song| song["id"].as_str())
        .unwrap_or_else(|| panic!("no song {title}"))
        .to_owned()
}

/// The values of `key` in a list.
pub fn values(list: &Value, key: &str) -> Vec<String> {
    list.as_array()
        .expect("a list")
        .iter()
        .map(|item| item[key].as_str().expect("text").to_owned())
        .collect()
}

/// Asserts a JSON error with `status` and `code`; answers its message.
pub async fn error(response: Response, status: StatusCode, code: &str) -> String {
    TestApp::expect_error(response, status, code).await
}
