//! Files whose audio plays but whose tags are damaged stay in the library,
//! listed with what could be read and reported as warnings; only files with
//! no audio to play are left out. The damage is made deterministically
//! from files ffmpeg wrote.

use std::path::Path;

use common::test_support::media;
use serde_json::Value;

use crate::{
    audio::{Tags, make},
    helpers::{TestApp, spawn_app_with_music},
};

/// The FLAC metadata blocks of `bytes`: (header offset, type, declared size).
fn flac_blocks(bytes: &[u8]) -> Vec<(usize, u8, usize)> {
    assert_eq!(&bytes[..4], b"fLaC", "a FLAC file");
    let (mut at, mut blocks) = (4, Vec::new());
    loop {
        let header = &bytes[at..at + 4];
        let size = u32::from_be_bytes([0, header[1], header[2], header[3]]) as usize;
        blocks.push((at, header[0] & 0x7f, size));
        at += 4 + size;
        if header[0] & 0x80 != 0 {
            return blocks;
        }
    }
}

/// Rewrites the declared size of the first block of type `kind`.
fn lie_about_block_size(path: &Path, kind: u8, size: usize) {
    let mut bytes = std::fs::read(path).expect("read");
    let (at, _, _) = flac_blocks(&bytes)
        .into_iter()
        .find(|block| block.1 == kind)
        .expect("the block");
    bytes[at + 1..at + 4].copy_from_slice(&(size as u32).to_be_bytes()[1..]);
    std::fs::write(path, bytes).expect("write");
}

/// An MP3 with an ID3v2.3 tag whose TYER frame holds `year`.
fn mp3_with_year(dir: &Path, name: &str, title: &str, year: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    let tags = [("title", title), ("artist", "Tagger"), ("date", year)];
    let mut args = media::tags(&tags);
    args.extend(["-c:a", "libmp3lame", "-b:a", "64k", "-id3v2_version", "3"].map(String::from));
    media::generate("sine=frequency=440:duration=1", &args, &path);
    path
}

/// Makes the TYER frame invalid: not a number, and an unknown text
/// encoding byte.
fn break_tyer(path: &Path) {
    let mut bytes = std::fs::read(path).expect("read");
    let at = bytes.windows(4).position(|w| w == b"TYER").expect("a TYER frame");
    bytes[at + 10] = 9;
    bytes[at + 11..at + 15].copy_from_slice(b"2O\xff3");
    std::fs::write(path, bytes).expect("write");
}

/// Flags the TIT2 frame as compressed, which its bytes are not.
fn fake_compressed_title(path: &Path) {
    let mut bytes = std::fs::read(path).expect("read");
    let at = bytes.windows(4).position(|w| w == b"TIT2").expect("a TIT2 frame");
    bytes[at + 9] = 0x80;
    std::fs::write(path, bytes).expect("write");
}

/// Gives the ID3v2 tag a major version no reader knows (2.5).
fn future_id3v2(path: &Path) {
    let mut bytes = std::fs::read(path).expect("read");
    bytes[3] = 5;
    std::fs::write(path, bytes).expect("write");
}

/// Zeroes everything after the first `keep` bytes: no audio frame is left.
fn erase_audio(path: &Path, keep: usize) {
    let mut bytes = std::fs::read(path).expect("read");
    bytes[keep..].fill(0);
    std::fs::write(path, bytes).expect("write");
}

fn id3v2_len(path: &Path) -> usize {
    let bytes = std::fs::read(path).expect("read");
    assert_eq!(&bytes[..3], b"ID3");
    10 + bytes[6..10]
        .iter()
        .fold(0, |size, byte| (size << 7) | usize::from(*byte))
}

async fn scan_errors(app: &TestApp) -> Vec<Value> {
    let errors: Value = app.admin_get("scan-errors").await.json().await.expect("json");
    errors.as_array().expect("a list").clone()
}

fn problem_of<'a>(errors: &'a [Value], file: &str) -> &'a Value {
    errors
        .iter()
        .find(|error| error["path"].as_str().is_some_and(|path| path.ends_with(file)))
        .unwrap_or_else(|| panic!("no scan error for {file} in {errors:?}"))
}

#[tokio::test]
async fn files_with_damaged_tags_are_listed_with_their_titles_and_warned_about() {
    let app = spawn_app_with_music(|dir| {
        let picture = make(
            dir,
            "picture.flac",
            &Tags::covered("Short Picture", "Tagger", "Damaged"),
        );
        let (_, _, real) = flac_blocks(&std::fs::read(&picture).expect("read"))
            .into_iter()
            .find(|block| block.1 == 6)
            .expect("a picture block");
        lie_about_block_size(&picture, 6, real - 40);
        let info = make(
            dir,
            "streaminfo.flac",
            &Tags::song("Long Streaminfo", "Tagger", "Damaged"),
        );
        lie_about_block_size(&info, 0, 40);
        let year = mp3_with_year(dir, "year.mp3", "Bad Year", "2003");
        break_tyer(&year);
        fake_compressed_title(&mp3_with_year(dir, "01 compressed.mp3", "Lost", "2003"));
        future_id3v2(&mp3_with_year(dir, "02 future.mp3", "Lost", "2003"));
    })
    .await;

    // Tags lofty cannot read at all leave the file name as the title.
    assert_eq!(
        app.titles("").await,
        vec![
            "01 compressed",
            "02 future",
            "Bad Year",
            "Long Streaminfo",
            "Short Picture"
        ]
    );
    let listed = app.get_json("songs?q=streaminfo").await;
    let song = &listed["items"][0];
    assert_eq!(song["artist"], "Tagger");
    assert_eq!(song["album"]["title"], "Damaged");
    assert!(
        song["duration_ms"]
            .as_i64()
            .is_some_and(|ms| (900..1100).contains(&ms)),
        "{song}"
    );

    let errors = scan_errors(&app).await;
    for file in [
        "picture.flac",
        "streaminfo.flac",
        "year.mp3",
        "compressed.mp3",
        "future.mp3",
    ] {
        let problem = problem_of(&errors, file);
        assert_eq!(problem["severity"], "warning", "{problem}");
        assert_eq!(problem["kind"], "damaged_tags", "{problem}");
    }
    let progress = app.wait_for_scan().await;
    assert_eq!(progress["failed"], 0, "{progress}");
    assert_eq!(progress["done"], 5, "{progress}");
}

#[tokio::test]
async fn files_with_damaged_tags_and_no_audio_stay_out_as_errors() {
    let app = spawn_app_with_music(|dir| {
        make(dir, "good.flac", &Tags::song("Good", "Tagger", "Fine"));
        let info = make(dir, "silent.flac", &Tags::song("No Frames", "Tagger", "Damaged"));
        let end = flac_blocks(&std::fs::read(&info).expect("read"))
            .last()
            .map(|(at, _, size)| at + 4 + size)
            .expect("blocks");
        erase_audio(&info, end);
        lie_about_block_size(&info, 0, 40);
        let year = mp3_with_year(dir, "silent.mp3", "No Audio", "2003");
        break_tyer(&year);
        erase_audio(&year, id3v2_len(&year));
    })
    .await;

    assert_eq!(app.titles("").await, vec!["Good"]);
    let errors = scan_errors(&app).await;
    for file in ["silent.flac", "silent.mp3"] {
        let problem = problem_of(&errors, file);
        assert_eq!(problem["severity"], "error", "{problem}");
        assert_eq!(problem["kind"], "unsupported_file", "{problem}");
    }
    let progress = app.wait_for_scan().await;
    assert_eq!(progress["failed"], 2, "{progress}");
}
