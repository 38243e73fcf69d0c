//! Small tagged audio files made with ffmpeg.

use std::{
    path::{Path, PathBuf},
    process::Command,
};

/// Tags of a generated file; `None` leaves the tag out.
#[derive(Debug, Clone, Default)]
pub struct Tags {
    pub title: Option<&'static str>,
    pub artist: Option<&'static str>,
    pub album: Option<&'static str>,
    pub album_artist: Option<&'static str>,
    pub track: Option<&'static str>,
    pub disc: Option<&'static str>,
    pub date: Option<&'static str>,
    pub genre: Option<&'static str>,
    pub cover: bool,
    /// Length in seconds.
    pub seconds: f32,
}

impl Tags {
    pub fn song(title: &'static str, artist: &'static str, album: &'static str) -> Self {
        Self {
            title: Some(title),
            artist: Some(artist),
            album: Some(album),
            seconds: 1.0,
            ..Self::default()
        }
    }

    /// A song with an embedded cover.
    pub fn covered(title: &'static str, artist: &'static str, album: &'static str) -> Self {
        Self {
            cover: true,
            ..Self::song(title, artist, album)
        }
    }
}

/// A 64x64 PNG of one colour.
pub fn png(path: &Path, rgb: [u8; 3]) {
    let image = image::RgbImage::from_pixel(64, 64, image::Rgb(rgb));
    image.save(path).expect("writing a PNG");
}

/// Writes `dir/name` (the extension picks the codec: mp3, flac, ogg, m4a).
pub fn make(dir: &Path, name: &str, tags: &Tags) -> PathBuf {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().expect("a parent")).expect("creating folders");
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .expect("an extension")
        .to_owned();
    let mut command = Command::new("ffmpeg");
    command.args(["-v", "error", "-y", "-f", "lavfi", "-i"]);
    command.arg(format!(
        "sine=frequency=440:duration={}",
        if tags.seconds > 0.0 { tags.seconds } else { 1.0 }
    ));
    let cover = tags.cover && ext != "ogg";
    let cover_path = path.with_extension("cover-source.png");
    if cover {
        png(&cover_path, [200, 30, 30]);
        command.arg("-i").arg(&cover_path);
        command.args([
            "-map",
            "0:a",
            "-map",
            "1:v",
            "-c:v",
            "png",
            "-disposition:v",
            "attached_pic",
        ]);
    }
    let codec: &[&str] = match ext.as_str() {
        "mp3" => &["-c:a", "libmp3lame", "-b:a", "64k"],
        "flac" => &["-c:a", "flac"],
        "m4a" => &["-c:a", "aac", "-b:a", "64k"],
        "ogg" => &["-c:a", "libvorbis", "-q:a", "0"],
        other => panic!("no codec for {other}"),
    };
    command.args(codec);
    let pairs = [
        ("title", tags.title),
        ("artist", tags.artist),
        ("album", tags.album),
        ("album_artist", tags.album_artist),
        ("track", tags.track),
        ("disc", tags.disc),
        ("date", tags.date),
        ("genre", tags.genre),
    ];
    for (key, value) in pairs {
        if let Some(value) = value {
            command.arg("-metadata").arg(format!("{key}={value}"));
        }
    }
    let status = command.arg(&path).status().expect("running ffmpeg");
    assert!(status.success(), "ffmpeg failed for {name}");
    if cover {
        std::fs::remove_file(&cover_path).expect("removing the cover source");
    }
    path
}
