//! The shared Redis connection against a Redis server of the test's own:
//! every call ends in bounded time while the server is away or silent, and
//! the connection comes back by itself when the server does.

use std::{
    path::Path,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use common::redis_conn::LazyRedis;

/// A Redis server of the test's own, on a Unix socket (no TCP port).
fn start_redis(socket: &Path) -> Child {
    let socket = socket.to_str().expect("a UTF-8 path");
    let args = [
        "--port",
        "0",
        "--unixsocket",
        socket,
        "--save",
        "",
        "--appendonly",
        "no",
    ];
    Command::new("redis-server")
        .args(args)
        .stdout(Stdio::null())
        .spawn()
        .expect("redis-server starts")
}

fn lazy(url: &str) -> LazyRedis {
    LazyRedis::new(redis::Client::open(url).expect("client"))
}

async fn ping(redis: &LazyRedis) -> redis::RedisResult<String> {
    let mut connection = redis.get().await?;
    redis::cmd("PING").query_async(&mut connection).await
}

/// Pings until it answers, for at most `limit`.
async fn answers_within(redis: &LazyRedis, limit: Duration) -> bool {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if ping(redis).await.is_ok() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    false
}

#[tokio::test]
async fn while_redis_is_away_calls_fail_fast_and_it_is_used_again_once_back() {
    let dir = tempfile::tempdir().expect("a folder");
    let socket = dir.path().join("redis.sock");
    let mut server = start_redis(&socket);
    let redis = lazy(&format!("redis+unix://{}", socket.display()));
    assert!(
        answers_within(&redis, Duration::from_secs(10)).await,
        "redis started"
    );

    server.kill().expect("redis stopped");
    server.wait().expect("reaped");
    let started = Instant::now();
    assert!(ping(&redis).await.is_err(), "the broken connection fails");
    for _ in 0..20 {
        assert!(ping(&redis).await.is_err(), "redis is away");
    }
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "21 calls while away took {:?}",
        started.elapsed()
    );

    let mut server = start_redis(&socket);
    let back = answers_within(&redis, Duration::from_secs(10)).await;
    server.kill().expect("redis stopped");
    server.wait().expect("reaped");
    assert!(back, "the same LazyRedis reconnects by itself");
}

#[tokio::test]
async fn a_server_that_never_answers_costs_a_command_at_most_its_response_timeout() {
    // Accepts connections and never says a word.
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = silent.local_addr().expect("address").port();
    let accepting = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = silent.accept().await {
            held.push(socket);
        }
    });
    let redis = lazy(&format!("redis://127.0.0.1:{port}"));
    let started = Instant::now();
    let answer = ping(&redis).await;
    let took = started.elapsed();
    accepting.abort();
    assert!(answer.is_err(), "no answer is an error: {answer:?}");
    assert!(
        took < common::redis_conn::CONNECT_TIMEOUT
            + common::redis_conn::RESPONSE_TIMEOUT
            + Duration::from_millis(500),
        "took {took:?}"
    );
}
