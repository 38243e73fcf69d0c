//! `?format=…`: ffmpeg output streamed, bounded, validated.

use reqwest::StatusCode;

use crate::helpers::{Options, pattern, spawn_app, spawn_app_with};

#[tokio::test]
async fn opus_is_streamed_as_ogg_while_ffmpeg_runs() {
    let app = spawn_app().await;
    let id = app.add_audio("tone.mp3").await;
    let mut response = app
        .get(&format!("{}?format=opus&bitrate=64", app.song_url(id)), &[])
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "audio/ogg; codecs=opus");
    assert_eq!(response.headers()["accept-ranges"], "none");
    assert!(!response.headers().contains_key("content-length"));
    let first = response.chunk().await.expect("chunk").expect("some bytes");
    assert!(first.starts_with(b"OggS"), "an Ogg page comes first");
}

#[tokio::test]
async fn mp3_with_an_offset_is_shorter() {
    let app = spawn_app().await;
    let id = app.add_audio("tone.mp3").await;
    let url = app.song_url(id);
    let whole = app
        .get(&format!("{url}?format=mp3&bitrate=32"), &[])
        .await
        .bytes()
        .await
        .expect("body");
    let late = app
        .get(&format!("{url}?format=mp3&bitrate=32&offset=540"), &[])
        .await
        .bytes()
        .await
        .expect("body");
    assert!(
        whole.len() > 2_000_000,
        "ten minutes at 32 kbit/s: {}",
        whole.len()
    );
    assert!(
        late.len() < whole.len() / 5,
        "the last minute only: {} of {}",
        late.len(),
        whole.len()
    );
}

#[tokio::test]
async fn aac_download_is_named_after_the_song() {
    let app = spawn_app().await;
    let id = app.add_audio("My Song.mp3").await;
    let mut response = app
        .get(
            &format!("{}?format=aac&download=1&offset=595", app.song_url(id)),
            &[],
        )
        .await;
    assert_eq!(response.headers()["content-type"], "audio/aac");
    let disposition = response.headers()["content-disposition"]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert!(disposition.contains("filename=\"My Song.aac\""), "{disposition}");
    assert!(response.chunk().await.expect("chunk").is_some());
}

#[tokio::test]
async fn unknown_formats_and_bad_bitrates_are_400_naming_the_parameter() {
    let app = spawn_app().await;
    let id = app.add_audio("tone.mp3").await;
    for (query, code) in [
        ("format=wav", "invalid_format"),
        ("format=mp3&bitrate=1000", "invalid_bitrate"),
        ("format=mp3&bitrate=fast", "invalid_bitrate"),
        ("format=opus&offset=-3", "invalid_offset"),
    ] {
        let response = app.get(&format!("{}?{query}", app.song_url(id)), &[]).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{query}");
        let body: serde_json::Value = response.json().await.expect("json");
        assert_eq!(body["error"]["code"], code, "{query}");
    }
}

#[tokio::test]
async fn over_the_limit_is_503_with_retry_after_until_a_slot_frees() {
    let app = spawn_app_with(Options {
        transcode_max: 1,
        ..Options::default()
    })
    .await;
    let id = app.add_audio("tone.mp3").await;
    let url = format!("{}?format=opus", app.song_url(id));
    let held = app.get(&url, &[]).await;
    assert_eq!(held.status(), StatusCode::OK);

    let refused = app.get(&url, &[]).await;
    assert_eq!(refused.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(refused.headers()["retry-after"], "5");
    let body: serde_json::Value = refused.json().await.expect("json");
    assert_eq!(body["error"]["code"], "transcoder_busy");

    drop(held);
    let freed = crate::helpers::eventually(std::time::Duration::from_secs(10), || async {
        app.get(&url, &[]).await.status() == StatusCode::OK
    })
    .await;
    assert!(freed, "the slot is released when the client goes away");
}

#[tokio::test]
async fn a_file_ffmpeg_cannot_decode_is_422() {
    let app = spawn_app().await;
    let id = app.add_file("noise.mp3", &pattern(5000), None).await;
    let response = app.get(&format!("{}?format=mp3", app.song_url(id)), &[]).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: serde_json::Value = response.json().await.expect("json");
    assert_eq!(body["error"]["code"], "transcode_failed");
}

#[tokio::test]
async fn the_original_is_untouched_without_a_format() {
    let app = spawn_app().await;
    let id = app.add_audio("tone.mp3").await;
    let body = app.get(&app.song_url(id), &[]).await.bytes().await.expect("body");
    let original = std::fs::read(crate::helpers::audio_fixture()).expect("reads");
    assert_eq!(body.as_ref(), original.as_slice());
}

#[tokio::test]
async fn head_of_a_transcode_starts_no_ffmpeg() {
    let app = spawn_app().await;
    let id = app.add_audio("tone.mp3").await;
    let response = app
        .client
        .head(format!("{}?format=mp3", app.song_url(id)))
        .send()
        .await
        .expect("head");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "audio/mpeg");
    assert_eq!(app.metric("tonearm_stream_active_transcodes").await, 0.0);
    assert_eq!(
        app.metric("tonearm_stream_bytes_sent_total{backend=\"transcode\"")
            .await,
        0.0
    );
}

#[tokio::test]
async fn an_mp4_with_its_index_at_the_end_transcodes_from_the_opened_file() {
    let app = spawn_app().await;
    let path = app.music.join("late-index.m4a");
    // ffmpeg writes the MP4 index after the audio: a reader must seek back.
    let status = std::process::Command::new("ffmpeg")
        .args(["-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i"])
        .arg("sine=frequency=440:duration=20")
        .args(["-c:a", "aac", "-b:a", "64k"])
        .arg(&path)
        .status()
        .expect("ffmpeg runs");
    assert!(status.success(), "ffmpeg made the m4a");
    let id = app.add_local(&path, "late-index.m4a", Some("audio/mp4")).await;
    let response = app
        .get(&format!("{}?format=mp3&offset=10", app.song_url(id)), &[])
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let body = response.bytes().await.expect("body");
    assert!(body.len() > 10_000, "ten seconds of audio: {} bytes", body.len());
}
