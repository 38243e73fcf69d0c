//! Attacks on the stream route: reaching the port without the gateway, an
//! origin or a file that turns into a web page, and a song swapped for a
//! link to an outside file while it is being transcoded.

use std::{
    path::{Path, PathBuf},
    sync::Arc,
};

use reqwest::{StatusCode, header::HeaderMap};

use crate::{
    fixtures::{Behaviour, Fixture, Reply},
    helpers::{Options, TestApp, pattern, spawn_app, spawn_app_with},
};

const SCRIPT: &str = "<html><script>fetch('/api/catalog/admin/users',{method:'POST'})</script></html>";

/// An origin that served audio once and now answers a page with a script.
fn html_origin() -> Behaviour {
    Arc::new(|_| Reply::Full {
        head: format!(
            "HTTP/1.1 200 OK\r\ncontent-type: text/html; charset=utf-8\r\ncontent-length: {}",
            SCRIPT.len()
        ),
        body: SCRIPT.as_bytes().to_vec(),
    })
}

async fn app_allowed(origin: &Fixture) -> TestApp {
    spawn_app_with(Options {
        allow_hosts: vec![origin.base.trim_start_matches("http://").to_owned()],
        ..Options::default()
    })
    .await
}

/// The headers every stream answer carries so a browser never runs it.
fn assert_inert(headers: &HeaderMap, what: &str) {
    assert_eq!(headers["x-content-type-options"], "nosniff", "{what}");
    assert_eq!(headers["content-security-policy"], "sandbox", "{what}");
}

fn error_code(body: &[u8]) -> String {
    let body: serde_json::Value = serde_json::from_slice(body).expect("json");
    body["error"]["code"].as_str().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn a_song_requested_straight_at_the_port_without_the_token_is_401_with_no_audio() {
    let app = spawn_app().await;
    let audio = pattern(5_000);
    let id = app.add_file("a.mp3", &audio, None).await;
    let bare = reqwest::Client::new();
    for range in [None, Some("bytes=0-99")] {
        let mut request = bare.get(app.song_url(id));
        if let Some(range) = range {
            request = request.header("range", range);
        }
        let response = request.send().await.expect("sent");
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{range:?}");
        let body = response.bytes().await.expect("body");
        assert_eq!(error_code(&body), "internal_token_required");
        assert!(
            !body
                .windows(16)
                .any(|window| audio.windows(16).next() == Some(window)),
            "no audio bytes"
        );
    }
    let transcode = bare
        .get(format!("{}?format=mp3", app.song_url(id)))
        .send()
        .await
        .expect("sent");
    assert_eq!(transcode.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_forged_admin_role_without_the_token_is_401() {
    let app = spawn_app().await;
    let id = app.add_file("a.mp3", &pattern(100), None).await;
    let bare = reqwest::Client::new();
    for token in [None, Some("a-guessed-token-of-some-length")] {
        let mut request = bare
            .get(app.song_url(id))
            .header("x-tonearm-role", "admin")
            .header("x-tonearm-user", uuid::Uuid::new_v4().to_string());
        if let Some(token) = token {
            request = request.header("x-tonearm-internal-token", token);
        }
        let response = request.send().await.expect("sent");
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{token:?}");
        assert_eq!(
            error_code(&response.bytes().await.expect("body")),
            "forged_identity"
        );
    }
    // The same request through the gateway (with the token) is served.
    let served = app.get(&app.song_url(id), &[("x-tonearm-role", "admin")]).await;
    assert_eq!(served.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_remote_origin_serving_html_is_sent_as_audio_with_nosniff() {
    let origin = Fixture::start(html_origin()).await;
    let app = app_allowed(&origin).await;
    let url = format!("{}/episode.mp3?token=private", origin.base);
    let id = app
        .add_remote_typed(&url, "episode.mp3", Some("audio/mpeg"))
        .await;
    let response = app.get(&app.song_url(id), &[]).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "audio/mpeg");
    assert_inert(response.headers(), "remote 200");
    let ranged = app.get(&app.song_url(id), &[("range", "bytes=0-")]).await;
    assert!(
        !ranged.headers()["content-type"]
            .to_str()
            .expect("text")
            .contains("html")
    );
    assert_inert(ranged.headers(), "remote with a range");
}

#[tokio::test]
async fn a_remote_origin_serving_html_without_an_audio_row_type_is_sent_as_octet_stream() {
    let origin = Fixture::start(html_origin()).await;
    let app = app_allowed(&origin).await;
    for (path, row_type) in [("/latest", None), ("/episode.mp3", Some("text/html"))] {
        let id = app
            .add_remote_typed(&format!("{}{path}", origin.base), "episode", row_type)
            .await;
        let response = app.get(&app.song_url(id), &[]).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(
            response.headers()["content-type"],
            "application/octet-stream",
            "{path} {row_type:?}"
        );
        assert_inert(response.headers(), path);
    }
}

#[tokio::test]
async fn a_local_file_holding_a_page_is_never_sent_as_html() {
    let app = spawn_app().await;
    let page = app
        .add_file("page.html", SCRIPT.as_bytes(), Some("text/html"))
        .await;
    let response = app.get(&app.song_url(page), &[]).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "application/octet-stream");
    assert_inert(response.headers(), "local page");
    let untyped = app.add_file("page2.html", SCRIPT.as_bytes(), None).await;
    let response = app.get(&app.song_url(untyped), &[]).await;
    assert_eq!(response.headers()["content-type"], "application/octet-stream");

    let song = app.add_file("song.mp3", &pattern(1_000), None).await;
    let partial = app.get(&app.song_url(song), &[("range", "bytes=0-9")]).await;
    assert_eq!(partial.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(partial.headers()["content-type"], "audio/mpeg");
    assert_inert(partial.headers(), "local 206");
}

#[tokio::test]
async fn errors_and_transcodes_carry_nosniff_and_the_sandbox_too() {
    let app = spawn_app().await;
    let unknown = app.get(&app.song_url(uuid::Uuid::new_v4()), &[]).await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    assert_inert(unknown.headers(), "404");
    let id = app.add_audio("tone.mp3").await;
    let transcode = app
        .get(&format!("{}?format=opus&offset=595", app.song_url(id)), &[])
        .await;
    assert_eq!(transcode.status(), StatusCode::OK);
    assert_inert(transcode.headers(), "transcode");
}

/// An `ffmpeg` that first replaces the file named in `dir/song` with a link
/// to `dir/secret.txt` (the service has checked and opened the song by
/// then), and only then runs the real ffmpeg with the service's arguments.
fn swapping_ffmpeg(dir: &Path) -> PathBuf {
    use std::os::unix::fs::PermissionsExt as _;
    let script = dir.join("ffmpeg-swapping");
    let dir = dir.display();
    let body = format!(
        "#!/bin/sh\nsong=$(cat '{dir}/song') && rm -f \"$song\" && ln -s '{dir}/secret.txt' \"$song\" || exit 97\nexec ffmpeg \"$@\"\n"
    );
    std::fs::write(&script, body).expect("writes the script");
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    script
}

#[tokio::test]
async fn a_song_swapped_for_a_link_outside_after_the_check_is_transcoded_from_the_checked_file() {
    let scratch = std::env::temp_dir().join(format!("tonearm-swap-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&scratch).expect("scratch folder");
    let secret = "DATABASE_URL=postgres://tonearm:secret@db/tonearm";
    std::fs::write(scratch.join("secret.txt"), secret).expect("writes the outside file");
    let app = spawn_app_with(Options {
        ffmpeg: Some(swapping_ffmpeg(&scratch)),
        ..Options::default()
    })
    .await;
    let id = app.add_audio("tone.mp3").await;
    let song = app.music.join("tone.mp3");
    std::fs::write(scratch.join("song"), song.display().to_string()).expect("names the song");

    let response = app
        .get(&format!("{}?format=mp3&offset=595", app.song_url(id)), &[])
        .await;
    assert!(
        std::fs::symlink_metadata(&song)
            .expect("stat")
            .file_type()
            .is_symlink(),
        "the song was swapped for a link before ffmpeg ran"
    );
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "ffmpeg decoded the checked file"
    );
    let body = response.bytes().await.expect("body");
    assert!(
        body.len() > 1_000,
        "five seconds of the song: {} bytes",
        body.len()
    );
    assert!(!body.windows(12).any(|window| window == b"DATABASE_URL"));
    // Asked again, the link is checked and refused.
    let again = app.get(&format!("{}?format=mp3", app.song_url(id)), &[]).await;
    assert_eq!(again.status(), StatusCode::FORBIDDEN);
    std::fs::remove_dir_all(&scratch).ok();
}

#[tokio::test]
async fn a_playlist_posing_as_a_song_cannot_make_ffmpeg_read_an_outside_file() {
    let app = spawn_app().await;
    let secret = app.outside.join("private.mp3");
    std::fs::copy(crate::helpers::audio_fixture(), &secret).expect("copies the outside audio");
    // An HLS playlist whose one segment is a file outside the music folders;
    // no type and no known extension, so ffmpeg has to probe it.
    let playlist = format!(
        "#EXTM3U\n#EXT-X-TARGETDURATION:600\n#EXTINF:600,\nfile:{}\n#EXT-X-ENDLIST\n",
        secret.display()
    );
    let id = app.add_file("track", playlist.as_bytes(), None).await;
    let response = app
        .get(&format!("{}?format=opus&offset=590", app.song_url(id)), &[])
        .await;
    assert_eq!(
        response.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "the outside file was not decoded"
    );
}
