//! Pass-through: identity, streaming, headers, failures.

use std::{
    sync::atomic::Ordering,
    time::{Duration, Instant},
};

use futures_util::StreamExt as _;

use reqwest::Method;

use crate::helpers::{INTERNAL_TOKEN, Options, error_code, eventually, spawn_app, spawn_app_with};
use common::test_support::dead_url;

#[tokio::test]
async fn services_get_the_gateway_identity_and_never_the_clients_forgeries() {
    let app = spawn_app().await;
    let admin = app.admin_cookie().await;
    let listener_id = app.create_user(&admin, "lena", "listener-pass", "listener").await;
    let listener = app.login("lena", "listener-pass").await;
    let response = app
        .client
        .get(app.url("/api/catalog/songs?q=a%20b"))
        .header("cookie", format!("{listener}; theme=dark"))
        .header("x-tonearm-role", "admin")
        .header("x-tonearm-user", "someone-else")
        .header("x-tonearm-internal-token", "forged")
        .header("x-forwarded-for", "203.0.113.9")
        .header("forwarded", "for=203.0.113.9;proto=https")
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 200);
    let echo: serde_json::Value = response.json().await.expect("json");
    let headers = &echo["headers"];
    assert_eq!(echo["path"], "/api/catalog/songs?q=a%20b");
    assert_eq!(headers["x-tonearm-role"], "listener");
    assert_eq!(headers["x-tonearm-user"], listener_id.as_str());
    assert_eq!(headers["x-tonearm-internal-token"], INTERNAL_TOKEN);
    assert!(headers["x-request-id"].as_str().is_some_and(|id| !id.is_empty()));
    let session = headers["x-tonearm-session"].as_str().expect("a session id");
    assert!(
        !listener.contains(session),
        "services must not see the cookie secret"
    );
    assert_eq!(headers["cookie"], "theme=dark");
    assert_eq!(headers["x-forwarded-for"], "127.0.0.1");
    assert!(headers.get("forwarded").is_none());
}

#[tokio::test]
async fn range_and_conditional_headers_pass_both_ways() {
    let app = spawn_app().await;
    let cookie = app.admin_cookie().await;
    let response = app
        .client
        .get(app.url("/api/stream/big?size=1000000"))
        .header("cookie", &cookie)
        .header("range", "bytes=1000-1099")
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 206);
    assert_eq!(response.headers()["content-range"], "bytes 1000-1099/1000000");
    assert_eq!(response.headers()["content-length"], "100");
    assert_eq!(response.headers()["accept-ranges"], "bytes");
    let body = response.bytes().await.expect("body");
    let expected: Vec<u8> = (1000..1100).map(|i| (i % 251) as u8).collect();
    assert_eq!(body.as_ref(), expected.as_slice());

    let fresh = app.get("/api/catalog/cached", Some(&cookie)).await;
    assert_eq!(fresh.headers()["etag"], "\"v1\"");
    assert_eq!(fresh.headers()["cache-control"], "private, max-age=60");
    assert_eq!(fresh.headers()["last-modified"], "Wed, 21 Oct 2015 07:28:00 GMT");
    let revalidated = app
        .client
        .get(app.url("/api/catalog/cached"))
        .header("cookie", &cookie)
        .header("if-none-match", "\"v1\"")
        .send()
        .await
        .expect("request");
    assert_eq!(revalidated.status(), 304);
}

#[tokio::test]
async fn a_large_song_starts_arriving_before_the_service_has_sent_it_all() {
    let app = spawn_app().await;
    let cookie = app.admin_cookie().await;
    // 40 chunks of 64 KiB, 50 ms apart: about 2 s for the whole body.
    let size = 40 * 64 * 1024;
    let started = Instant::now();
    let response = app
        .get(&format!("/api/stream/big?size={size}&delay_ms=50"), Some(&cookie))
        .await;
    assert_eq!(response.headers()["content-length"], size.to_string().as_str());
    let mut stream = response.bytes_stream();
    let first = stream.next().await.expect("a chunk").expect("bytes");
    assert!(!first.is_empty());
    assert!(
        started.elapsed() < Duration::from_millis(1500),
        "the body was buffered"
    );
    let mut total = first.len();
    while let Some(chunk) = stream.next().await {
        total += chunk.expect("bytes").len();
    }
    assert_eq!(total, size);
}

#[tokio::test]
async fn a_client_that_goes_away_cancels_the_upstream_stream() {
    let app = spawn_app().await;
    let cookie = app.admin_cookie().await;
    let response = app
        .get("/api/stream/big?size=100000000&delay_ms=20", Some(&cookie))
        .await;
    let mut stream = response.bytes_stream();
    stream.next().await.expect("a chunk").expect("bytes");
    drop(stream);
    let seen = app.upstream.seen.clone();
    eventually("the upstream stream to be dropped", || {
        seen.streams_dropped.load(Ordering::SeqCst) == 1
    })
    .await;
}

#[tokio::test]
async fn head_requests_keep_the_length() {
    let app = spawn_app().await;
    let cookie = app.admin_cookie().await;
    let response = app
        .client
        .head(app.url("/api/stream/big?size=5000"))
        .header("cookie", &cookie)
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-length"], "5000");
}

#[tokio::test]
async fn hop_by_hop_headers_stop_at_the_gateway() {
    let app = spawn_app().await;
    let cookie = app.admin_cookie().await;
    let response = app.get("/api/catalog/hop", Some(&cookie)).await;
    assert_eq!(response.status(), 200);
    assert!(response.headers().get("keep-alive").is_none());
    assert!(response.headers().get("proxy-connection").is_none());
    assert!(response.headers().get("proxy-authenticate").is_none());
    assert_eq!(response.headers()["x-kept"], "yes");
}

#[tokio::test]
async fn a_service_that_is_down_answers_503_naming_it_without_internals() {
    let app = spawn_app_with(Options {
        stream: Some(dead_url()),
        ..Options::default()
    })
    .await;
    let cookie = app.admin_cookie().await;
    let started = Instant::now();
    let response = app.get("/api/stream/songs/x", Some(&cookie)).await;
    assert_eq!(response.status(), 503);
    assert!(started.elapsed() < Duration::from_secs(3));
    let body: serde_json::Value = response.json().await.expect("json");
    assert_eq!(body["error"]["code"], "upstream_unavailable");
    let message = body["error"]["message"].as_str().expect("message");
    assert!(message.contains("stream"), "{message}");
    assert!(!body.to_string().contains("127.0.0.1"), "{body}");
}

#[tokio::test]
async fn a_slow_service_answers_504_but_streams_have_no_timeout() {
    let app = spawn_app().await;
    let cookie = app.admin_cookie().await;
    let started = Instant::now();
    let response = app.get("/api/catalog/slow?ms=3000", Some(&cookie)).await;
    assert_eq!(response.status(), 504);
    assert!(started.elapsed() < Duration::from_millis(2500));
    let body: serde_json::Value = response.json().await.expect("json");
    assert_eq!(body["error"]["code"], "upstream_timeout");
    assert!(
        body["error"]["message"]
            .as_str()
            .expect("message")
            .contains("catalog")
    );
    // The catalog limit is 1 s in tests; the stream route waits longer.
    let streamed = app.get("/api/stream/slow?ms=1500", Some(&cookie)).await;
    assert_eq!(streamed.status(), 200);
}

#[tokio::test]
async fn a_failing_instance_is_skipped_and_the_others_serve() {
    let app = spawn_app_with(Options {
        catalog: vec![dead_url(), String::new()],
        ..Options::default()
    })
    .await;
    let cookie = app.admin_cookie().await;
    for _ in 0..4 {
        let response = app.get("/api/catalog/songs", Some(&cookie)).await;
        assert_eq!(response.status(), 200);
    }
    let metrics = app
        .client
        .get(format!("http://127.0.0.1:{}/metrics", app.ops_port))
        .send()
        .await
        .expect("metrics")
        .text()
        .await
        .expect("metrics");
    assert!(
        metrics.contains("tonearm_gateway_upstream_requests_total"),
        "{metrics}"
    );
}

#[tokio::test]
async fn request_bodies_stream_to_the_service_and_oversized_ones_are_refused() {
    let app = spawn_app().await;
    let cookie = app.admin_cookie().await;
    let response = app
        .client
        .post(app.url("/api/catalog/upload"))
        .header("cookie", &cookie)
        .body(vec![7_u8; 512 * 1024])
        .send()
        .await
        .expect("request");
    let body: serde_json::Value = response.json().await.expect("json");
    assert_eq!(body["received"], 512 * 1024);

    let declared = app
        .client
        .post(app.url("/api/catalog/upload"))
        .header("cookie", &cookie)
        .body(vec![7_u8; 2 * 1024 * 1024])
        .send()
        .await
        .expect("request");
    assert_eq!(declared.status(), 413);
    assert_eq!(error_code(declared).await, "body_too_large");

    let chunks = futures_util::stream::iter((0..40).map(|_| Ok::<_, std::io::Error>(vec![1_u8; 64 * 1024])));
    let chunked = app
        .client
        .post(app.url("/api/catalog/upload"))
        .header("cookie", &cookie)
        .body(reqwest::Body::wrap_stream(chunks))
        .send()
        .await;
    // Either the gateway answers 413 or it cuts the connection mid-body;
    // the service never gets more than the limit.
    if let Ok(response) = chunked {
        assert_eq!(response.status(), 413);
    }
}

#[tokio::test]
async fn internal_service_routes_are_not_public() {
    let app = spawn_app().await;
    let cookie = app.admin_cookie().await;
    let before = app.upstream.seen.requests.load(Ordering::SeqCst);
    let response = app
        .send(
            Method::POST,
            "/api/catalog/internal/songs/abc/source-missing",
            Some(&cookie),
            None,
        )
        .await;
    assert_eq!(response.status(), 404);
    assert_eq!(app.upstream.seen.requests.load(Ordering::SeqCst), before);
}
