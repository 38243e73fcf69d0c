//! The stream metrics in `/metrics`.

use crate::helpers::{eventually, pattern, spawn_app};

#[tokio::test]
async fn bytes_streams_and_first_byte_times_are_exported() {
    let app = spawn_app().await;
    let id = app.add_file("song.mp3", &pattern(123_456), None).await;
    let body = app.get(&app.song_url(id), &[]).await.bytes().await.expect("body");
    assert_eq!(body.len(), 123_456);

    let sent = app
        .metric("tonearm_stream_bytes_sent_total{backend=\"local\"")
        .await;
    assert!(sent >= 123_456.0, "bytes sent: {sent}");
    let timed = app
        .metric("tonearm_stream_time_to_first_byte_seconds_count{backend=\"local\"")
        .await;
    assert!(timed >= 1.0, "first byte observed: {timed}");
    let idle = eventually(std::time::Duration::from_secs(5), || async {
        app.metric("tonearm_stream_active_streams{backend=\"local\"")
            .await
            == 0.0
    })
    .await;
    assert!(idle, "the active gauge returns to 0");
}

#[tokio::test]
async fn active_transcodes_are_counted_while_they_run() {
    let app = spawn_app().await;
    let id = app.add_audio("tone.mp3").await;
    let held = app.get(&format!("{}?format=opus", app.song_url(id)), &[]).await;
    assert_eq!(app.metric("tonearm_stream_active_transcodes").await, 1.0);
    drop(held);
    let done = eventually(std::time::Duration::from_secs(5), || async {
        app.metric("tonearm_stream_active_transcodes").await == 0.0
    })
    .await;
    assert!(done, "the gauge falls when the client goes away");
}
