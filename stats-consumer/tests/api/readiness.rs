use std::{
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use common::test_support::free_port;

use crate::helpers::{isolated_settings, spawn_app};

fn start_redis(port: u16) -> Child {
    Command::new("redis-server")
        .args(["--port", &port.to_string(), "--save", "", "--appendonly", "no"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("redis-server starts")
}

async fn readyz(client: &reqwest::Client, address: &str) -> (u16, serde_json::Value) {
    let response = client
        .get(format!("{address}/readyz"))
        .send()
        .await
        .expect("answer");
    let status = response.status().as_u16();
    (status, response.json().await.expect("json"))
}

async fn wait_for(client: &reqwest::Client, address: &str, want: u16) -> serde_json::Value {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let (status, body) = readyz(client, address).await;
        if status == want {
            return body;
        }
        assert!(Instant::now() < deadline, "readyz stayed {status}: {body}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn readiness_follows_redis_going_away_and_coming_back() {
    let port = free_port();
    let mut server = start_redis(port);
    let (mut settings, stats) = isolated_settings();
    settings.redis.url = format!("redis://127.0.0.1:{port}");
    let app = spawn_app(&settings, &stats).await;
    let client = reqwest::Client::new();
    wait_for(&client, &app.address, 200).await;

    server.kill().expect("redis stopped");
    server.wait().expect("reaped");
    let body = wait_for(&client, &app.address, 503).await;
    assert_eq!(body["checks"]["redis"]["status"], "error", "{body}");
    assert_eq!(
        body["checks"]["kafka"]["status"], "ok",
        "only redis is named: {body}"
    );
    let health = client
        .get(format!("{}/healthz", app.address))
        .send()
        .await
        .expect("answer");
    assert_eq!(health.status(), 200, "the process itself is alive");

    let mut server = start_redis(port);
    wait_for(&client, &app.address, 200).await;
    server.kill().expect("redis stopped");
    server.wait().expect("reaped");
    app.stop().await;
}
