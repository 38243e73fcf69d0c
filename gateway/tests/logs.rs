//! What the gateway writes to its logs. A binary of its own: it installs
//! the process-wide log subscriber to read what is logged.

#[path = "api/fixtures.rs"]
#[allow(dead_code)]
mod fixtures;
#[path = "api/helpers.rs"]
#[allow(dead_code)]
mod helpers;

use std::{
    io::Write,
    sync::{Arc, Mutex},
};

use common::test_support::dead_url;

/// Everything logged, in memory.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        if let Ok(mut buffer) = self.0.lock() {
            buffer.extend_from_slice(bytes);
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().expect("lock")).into_owned()
    }
}

#[tokio::test]
async fn a_private_token_in_a_query_string_never_reaches_the_logs() {
    let captured = Captured::default();
    let writer = captured.clone();
    tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_max_level(tracing::Level::DEBUG)
        .with_ansi(false)
        .init();
    let app = helpers::spawn_app_with(helpers::Options {
        catalog: vec![dead_url()],
        events: Some(dead_url()),
        ..helpers::Options::default()
    })
    .await;
    let cookie = app.admin_cookie().await;
    let secret = "private-feed-token-8d1f";
    let failed = app
        .get(
            &format!("/api/catalog/podcasts?feed=https%3A%2F%2Fx.example%2Frss&token={secret}"),
            Some(&cookie),
        )
        .await;
    assert_eq!(failed.status(), 503);
    let served = app
        .get(&format!("/api/stream/songs/1?token={secret}"), Some(&cookie))
        .await;
    assert_eq!(served.status(), 200);
    let socket = format!("ws://127.0.0.1:{}/ws?token={secret}", app.port);
    let request = common::test_support::socket::upgrade_request(&socket, &[("cookie", cookie.as_str())]);
    assert!(tokio_tungstenite::connect_async(request).await.is_err());
    let logs = captured.text();
    assert!(
        logs.contains("upstream request failed"),
        "the failure was logged: {logs}"
    );
    assert!(logs.contains("request served"), "requests were logged: {logs}");
    assert!(!logs.contains(secret), "a query string was logged: {logs}");
}
