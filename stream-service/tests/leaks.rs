//! A client that goes away mid-stream leaves nothing behind: after 100
//! aborted requests (plain and transcoded) the process's open file
//! descriptors and ffmpeg children return to their baseline.
//!
//! A binary of its own, so no other test opens files in this process while
//! it counts them.

#[allow(dead_code)]
#[path = "api/helpers.rs"]
mod helpers;

use std::time::Duration;

use helpers::{TestApp, eventually, pattern, spawn_app};

/// Open descriptors, not counting PostgreSQL connections: the pools grow
/// to their working size on their own (sqlx returns connections from a
/// background task) and keep them by design.
fn open_fds() -> usize {
    let database = database_sockets();
    fd_targets()
        .iter()
        .filter(|target| !database.contains(target.as_str()))
        .count()
}

/// `socket:[inode]` of every TCP connection to port 5432.
fn database_sockets() -> std::collections::HashSet<String> {
    ["/proc/self/net/tcp", "/proc/self/net/tcp6"]
        .iter()
        .filter_map(|table| std::fs::read_to_string(table).ok())
        .flat_map(|text| text.lines().skip(1).map(str::to_owned).collect::<Vec<_>>())
        .filter_map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let remote_port = fields.get(2)?.rsplit(':').next()?;
            let inode = fields.get(9)?;
            (remote_port == "1538").then(|| format!("socket:[{inode}]"))
        })
        .collect()
}

/// What each descriptor points at, for the failure message.
fn fd_targets() -> Vec<String> {
    let Ok(entries) = std::fs::read_dir("/proc/self/fd") else {
        return Vec::new();
    };
    let mut targets: Vec<String> = entries
        .filter_map(Result::ok)
        .map(|entry| {
            std::fs::read_link(entry.path()).map_or_else(|_| "?".into(), |t| t.display().to_string())
        })
        .collect();
    targets.sort();
    targets
}

/// Children of this process named ffmpeg, zombies included.
fn ffmpeg_children() -> usize {
    let me = std::process::id().to_string();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return usize::MAX;
    };
    entries
        .filter_map(Result::ok)
        .filter_map(|entry| std::fs::read_to_string(entry.path().join("stat")).ok())
        .filter(|stat| {
            // `pid (comm) state ppid ...`
            let Some((comm, rest)) = stat.split_once(") ") else {
                return false;
            };
            comm.ends_with("(ffmpeg") && rest.split(' ').nth(1) == Some(me.as_str())
        })
        .count()
}

/// Starts a request, takes the first chunk of its body, and hangs up.
async fn abort_after_first_chunk(app: &TestApp, client: &reqwest::Client, url: &str) {
    let mut response = client.get(url).send().await.expect("request sent");
    assert!(response.status().is_success(), "{url}: {}", response.status());
    let first = response.chunk().await.expect("first chunk");
    assert!(first.is_some(), "{url} sent bytes");
    drop(response);
    let _ = app;
}

#[tokio::test]
async fn aborted_streams_and_transcodes_leave_no_descriptors_or_processes() {
    let app = spawn_app().await;
    let plain = app.song_url(app.add_file("big.flac", &pattern(20 * 1024 * 1024), None).await);
    let transcoded = format!("{}?format=opus", app.song_url(app.add_audio("tone.mp3").await));
    // Each request on its own connection, closed when the response is dropped.
    let client = helpers::token_client_builder()
        .pool_max_idle_per_host(0)
        .build()
        .expect("client");

    // Warm up lazily created resources (database connection, signal pipe).
    abort_after_first_chunk(&app, &client, &plain).await;
    abort_after_first_chunk(&app, &client, &transcoded).await;
    let settled = |fds: usize| async move { open_fds() <= fds && ffmpeg_children() == 0 };
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(
        eventually(Duration::from_secs(10), || settled(usize::MAX)).await,
        "no ffmpeg after warm-up"
    );
    let baseline = open_fds();
    let before = fd_targets();

    for round in 0..50 {
        abort_after_first_chunk(&app, &client, &plain).await;
        abort_after_first_chunk(&app, &client, &transcoded).await;
        assert!(ffmpeg_children() <= 4, "round {round}: ffmpeg processes pile up");
    }

    let back = eventually(Duration::from_secs(15), || settled(baseline)).await;
    assert!(
        back,
        "after 100 aborted requests: {} fds (baseline {baseline}), {} ffmpeg children\nbefore: {before:?}\nafter: {:?}",
        open_fds(),
        ffmpeg_children(),
        fd_targets()
    );
}
