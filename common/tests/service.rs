//! The HTTP service every Tonearm service runs: readiness that follows a
//! dependency going away and coming back (a private Redis server this test
//! starts, stops and starts again on a free port), request ids, JSON errors,
//! metrics, and a graceful stop that lets in-flight requests finish.

use std::{
    net::TcpListener,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use tokio::task::JoinHandle;

use actix_web::dev::ServerHandle;
use common::{
    Settings,
    dev_servers::REDIS_NOTHING_KEPT,
    health::{Readiness, RedisCheck},
    metrics::Metrics,
    server::HttpService,
};

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port()
}

fn start_redis(port: u16) -> Child {
    Command::new("redis-server")
        .args(["--port", &port.to_string()])
        .args(REDIS_NOTHING_KEPT)
        .stdout(Stdio::null())
        .spawn()
        .expect("redis-server is installed")
}

async fn readyz(client: &reqwest::Client, base: &str) -> (u16, serde_json::Value) {
    let response = client
        .get(format!("{base}/readyz"))
        .send()
        .await
        .expect("readyz answers");
    let status = response.status().as_u16();
    (status, response.json().await.expect("readyz is JSON"))
}

async fn wait_for_status(client: &reqwest::Client, base: &str, wanted: u16) -> serde_json::Value {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let (status, body) = readyz(client, base).await;
        if status == wanted {
            return body;
        }
        assert!(Instant::now() < deadline, "readyz stayed {status}: {body}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Starts a service with `readiness` and extra `routes` on a free port.
fn serve<F>(readiness: Readiness, routes: F) -> (String, ServerHandle, JoinHandle<anyhow::Result<()>>)
where
    F: Fn(&mut actix_web::web::ServiceConfig) + Send + Clone + 'static,
{
    let settings = Settings::load().expect("default settings");
    let listener = common::server::bind("127.0.0.1", 0).expect("bind");
    let metrics = Metrics::new("test").expect("metrics");
    let service = HttpService::start(listener, &settings, metrics, readiness, routes).expect("starts");
    let base = format!("http://127.0.0.1:{}", service.port());
    let handle = service.handle();
    (base, handle, tokio::spawn(service.run_until_stopped()))
}

#[tokio::test]
async fn readiness_names_a_dependency_that_is_down_and_recovers_by_itself() {
    let redis_port = free_port();
    let mut redis = start_redis(redis_port);
    let client = redis::Client::open(format!("redis://127.0.0.1:{redis_port}")).expect("redis url");
    let readiness = Readiness::new(Duration::from_secs(1)).with(RedisCheck(client));
    let (base, handle, _running) = serve(readiness, |_| {});
    let http = reqwest::Client::new();

    let body = wait_for_status(&http, &base, 200).await;
    assert_eq!(body["checks"]["redis"]["status"], "ok");

    redis.kill().expect("stop redis");
    redis.wait().expect("redis stopped");
    let body = wait_for_status(&http, &base, 503).await;
    assert_eq!(body["status"], "not_ready");
    assert_eq!(body["checks"]["redis"]["status"], "error");
    assert!(
        body["checks"]["redis"]["error"]
            .as_str()
            .is_some_and(|error| !error.is_empty())
    );
    let healthz = http
        .get(format!("{base}/healthz"))
        .send()
        .await
        .expect("healthz answers");
    assert_eq!(healthz.status().as_u16(), 200);

    let mut redis = start_redis(redis_port);
    wait_for_status(&http, &base, 200).await;
    redis.kill().expect("stop redis");
    let _ = redis.wait();
    handle.stop(true).await;
}

#[tokio::test]
async fn every_answer_carries_a_request_id_and_errors_use_the_json_body() {
    let (base, handle, _running) = serve(Readiness::new(Duration::from_secs(1)), |_| {});
    let http = reqwest::Client::new();

    let echoed = http
        .get(format!("{base}/no-such-route"))
        .header("x-request-id", "abc-123")
        .send()
        .await
        .expect("answers");
    assert_eq!(echoed.status().as_u16(), 404);
    assert_eq!(echoed.headers()["x-request-id"], "abc-123");
    let body: serde_json::Value = echoed.json().await.expect("JSON");
    assert_eq!(body["error"]["code"], "route_not_found");
    assert_eq!(body["error"]["request_id"], "abc-123");

    let generated = http
        .get(format!("{base}/healthz"))
        .header("x-request-id", "bad\tvalue")
        .send()
        .await
        .expect("answers");
    let id = generated.headers()["x-request-id"]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert_ne!(id, "bad\tvalue");
    assert_eq!(id.len(), 36, "a generated UUID: {id}");

    let metrics = http.get(format!("{base}/metrics")).send().await.expect("answers");
    let text = metrics.text().await.expect("text");
    assert!(
        text.contains(
            r#"tonearm_http_requests_total{method="GET",route="unmatched",status="404",service="test"} 1"#
        ),
        "{text}"
    );
    assert!(text.contains("tonearm_http_request_duration_seconds_bucket"));
    handle.stop(true).await;
}

#[tokio::test]
async fn a_graceful_stop_lets_in_flight_requests_finish() {
    let slow = |cfg: &mut actix_web::web::ServiceConfig| {
        cfg.route(
            "/slow",
            actix_web::web::get().to(|| async {
                tokio::time::sleep(Duration::from_millis(700)).await;
                "finished"
            }),
        );
    };
    let (base, handle, running) = serve(Readiness::new(Duration::from_secs(1)), slow);
    let in_flight = tokio::spawn(reqwest::get(format!("{base}/slow")));
    tokio::time::sleep(Duration::from_millis(200)).await;

    handle.stop(true).await;
    let response = in_flight
        .await
        .expect("joined")
        .expect("the in-flight request is answered");
    assert_eq!(response.text().await.expect("body"), "finished");
    running
        .await
        .expect("joined")
        .expect("the server stops without error");
    assert!(
        reqwest::get(format!("{base}/healthz")).await.is_err(),
        "no longer listening"
    );
}

/// A service port reached without the gateway serves nothing but probes:
/// no token, a wrong one, or identity headers without it are refused.
#[tokio::test]
async fn a_request_that_bypasses_the_gateway_is_refused() {
    let token = "a-token-of-sixteen-or-more";
    let mut settings = Settings::load().expect("default settings");
    settings.internal_token = Some(token.into());
    let listener = common::server::bind("127.0.0.1", 0).expect("bind");
    let metrics = Metrics::new("test").expect("metrics");
    let routes = |cfg: &mut actix_web::web::ServiceConfig| {
        cfg.route("/api/songs", actix_web::web::get().to(|| async { "songs" }));
    };
    let service = HttpService::start(
        listener,
        &settings,
        metrics,
        Readiness::new(Duration::from_secs(1)),
        routes,
    )
    .expect("starts");
    let base = format!("http://127.0.0.1:{}", service.port());
    let handle = service.handle();
    let _running = tokio::spawn(service.run_until_stopped());
    let http = reqwest::Client::new();
    let get = |headers: &'static [(&'static str, &'static str)]| {
        let mut request = http.get(format!("{base}/api/songs"));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        request.send()
    };

    let bare = get(&[]).await.expect("answers");
    assert_eq!(bare.status().as_u16(), 401);
    let body: serde_json::Value = bare.json().await.expect("JSON");
    assert_eq!(body["error"]["code"], "internal_token_required");
    let forged = get(&[("x-tonearm-role", "admin")]).await.expect("answers");
    assert_eq!(forged.status().as_u16(), 401);
    let guessed = get(&[("x-tonearm-internal-token", "a-token-of-sixteen-or-mor")])
        .await
        .expect("answers");
    assert_eq!(guessed.status().as_u16(), 401);
    let genuine = get(&[("x-tonearm-internal-token", "a-token-of-sixteen-or-more")])
        .await
        .expect("answers");
    assert_eq!(genuine.status().as_u16(), 200);
    for probe in ["/healthz", "/readyz", "/metrics"] {
        let answer = http.get(format!("{base}{probe}")).send().await.expect("answers");
        assert_eq!(answer.status().as_u16(), 200, "{probe} needs no token");
    }
    handle.stop(true).await;
}

/// Without a token nobody can be told apart from the gateway: a claimed
/// role is refused, and an address other machines reach is not bound.
#[tokio::test]
async fn without_a_token_identity_is_refused_and_open_binds_are_not_made() {
    let settings = Settings::load().expect("default settings");
    assert!(settings.internal_token.is_none());
    let error = common::server::bind_service(&settings, "0.0.0.0", 0).expect_err("refused");
    assert!(error.to_string().contains("TONEARM_INTERNAL_TOKEN"), "{error}");
    common::server::bind_service(&settings, "127.0.0.1", 0).expect("loopback is fine");

    let (base, handle, _running) = serve(Readiness::new(Duration::from_secs(1)), |_| {});
    let claimed = reqwest::Client::new()
        .get(format!("{base}/no-such-route"))
        .header("x-tonearm-role", "admin")
        .send()
        .await
        .expect("answers");
    assert_eq!(claimed.status().as_u16(), 401);
    let body: serde_json::Value = claimed.json().await.expect("JSON");
    assert_eq!(body["error"]["code"], "forged_identity");
    handle.stop(true).await;
}
