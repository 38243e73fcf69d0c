//! The library every test starts with: three tagged songs (lyrics in one)
//! and a folder cover, made by ffmpeg.

use std::path::Path;

use common::test_support::media;

/// Title, artist, album, genre, year, track of each fixture song.
pub const SONGS: &[(&str, &str, &str, &str, &str, &str)] = &[
    ("Alpha One", "Able Artist", "First Album", "Rock", "2001", "1"),
    ("Alpha Two", "Able Artist", "First Album", "Rock", "2001", "2"),
    ("Beta Song", "Baker Band", "Second Album", "Jazz", "1999", "1"),
];

/// The lyrics embedded in "Alpha One" (an ID3 USLT frame), in LRC form.
const LYRICS: &str = "[00:00.50]First line\n[00:01.25]Second line";

/// Writes the songs and the cover into `dir`.
pub fn write_library(dir: &Path) {
    for (title, artist, album, genre, year, track) in SONGS {
        let mut tags = vec![
            ("title", *title),
            ("artist", *artist),
            ("album_artist", *artist),
            ("album", *album),
            ("genre", *genre),
            ("date", *year),
            ("track", *track),
        ];
        if *title == "Alpha One" {
            tags.push(("lyrics", LYRICS));
        }
        let output = dir.join(format!("{title}.mp3"));
        media::generate("sine=frequency=440:duration=2", &media::tags(&tags), &output);
    }
    // A folder image: the cover of every song and album here.
    media::generate(
        "color=c=red:s=300x300",
        &["-frames:v", "1"],
        &dir.join("cover.jpg"),
    );
}
