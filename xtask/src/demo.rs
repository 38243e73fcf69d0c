//! The demo library: real audio files with real tags and cover art,
//! generated once with ffmpeg under `.tonearm/demo/`, plus the files of the
//! demo Internet sources (a podcast feed and a direct audio URL).

use std::{
    path::{Path, PathBuf},
    process::Command,
};

use crate::{Result, paths, process, tools};

struct Album {
    artist: &'static str,
    title: &'static str,
    year: u16,
    genre: &'static str,
    /// `mp3`, `flac`, `ogg` or `m4a`.
    format: &'static str,
    /// Where the cover lives: embedded in the files or a folder image.
    cover: Cover,
    colours: (&'static str, &'static str),
    tracks: &'static [&'static str],
}

#[derive(Clone, Copy)]
enum Cover {
    Embedded,
    Folder(&'static str),
}

const ALBUMS: &[Album] = &[
    Album {
        artist: "Aurora Lines",
        title: "Northern Tide",
        year: 2021,
        genre: "Ambient",
        format: "mp3",
        cover: Cover::Embedded,
        colours: ("0x1d3557", "0xa8dadc"),
        tracks: &["First Light", "Harbour Fog", "Slow Current"],
    },
    Album {
        artist: "Aurora Lines",
        title: "Glass Harbour",
        year: 2023,
        genre: "Ambient",
        format: "flac",
        cover: Cover::Folder("cover.jpg"),
        colours: ("0x264653", "0xe9c46a"),
        tracks: &["Still Water", "Lanterns"],
    },
    Album {
        artist: "Björk Sigurðardóttir Ensemble",
        title: "Hraun",
        year: 2019,
        genre: "Folk",
        format: "ogg",
        cover: Cover::Folder("folder.png"),
        colours: ("0x6d597a", "0xeaac8b"),
        tracks: &["Basalt", "Mosi", "Eldur"],
    },
    Album {
        artist: "The Metronomes",
        title: "Tempo Studies",
        year: 2020,
        genre: "Electronic",
        format: "m4a",
        cover: Cover::Embedded,
        colours: ("0x003049", "0xf77f00"),
        tracks: &["Allegro", "Andante", "Presto"],
    },
];

/// The demo folders, generated on first use.
pub struct Demo {
    pub music: PathBuf,
    /// Served over HTTP by [`crate::demo_server`] as the demo Internet sources.
    pub web: PathBuf,
}

pub fn ensure() -> Result<Demo> {
    let root = paths::state().join("demo");
    let demo = Demo {
        music: root.join("music"),
        web: root.join("web"),
    };
    let marker = root.join(".complete-v1");
    if marker.exists() {
        return Ok(demo);
    }
    let ffmpeg = tools::debian_program("ffmpeg", "ffmpeg", "generating the demo library")?;
    eprintln!("xtask: generating the demo library under {}", root.display());
    for (index, album) in ALBUMS.iter().enumerate() {
        write_album(&ffmpeg, &demo.music, album, index)?;
    }
    write_untagged(&ffmpeg, &demo.music)?;
    write_web_files(&ffmpeg, &demo.web)?;
    std::fs::write(&marker, "").map_err(|e| e.to_string())?;
    Ok(demo)
}

fn mkdir(dir: &Path) -> Result {
    std::fs::create_dir_all(dir).map_err(|e| format!("creating {}: {e}", dir.display()))
}

/// A chord that changes with `seed`, so tracks sound different.
fn tone(seed: usize, seconds: u32) -> String {
    let base = 196 + 37 * (seed % 9);
    format!(
        "aevalsrc='0.25*sin(2*PI*{base}*t)+0.12*sin(2*PI*{}*t)*(0.6+0.4*sin(2*PI*0.25*t))':s=44100:d={seconds}",
        base * 3 / 2
    )
}

/// `ffmpeg -y -loglevel error -f lavfi -i <source>`: a generated input.
fn lavfi(ffmpeg: &Path, source: &str) -> Command {
    let mut command = Command::new(ffmpeg);
    command.args(["-y", "-loglevel", "error", "-f", "lavfi", "-i", source]);
    command
}

fn make_cover(ffmpeg: &Path, out: &Path, colours: (&str, &str)) -> Result {
    let source = format!(
        "gradients=s=600x600:c0={}:c1={}:x0=0:y0=0:x1=600:y1=600:d=1",
        colours.0.replace(' ', ""),
        colours.1.replace(' ', "")
    );
    process::output(
        "ffmpeg (cover)",
        lavfi(ffmpeg, &source).args(["-frames:v", "1"]).arg(out),
    )
    .map(drop)
}

fn codec_args(format: &str) -> &'static [&'static str] {
    match format {
        "mp3" => &["-c:a", "libmp3lame", "-b:a", "128k", "-id3v2_version", "3"],
        "flac" => &["-c:a", "flac"],
        "ogg" => &["-c:a", "libvorbis", "-q:a", "3"],
        _ => &["-c:a", "aac", "-b:a", "128k"],
    }
}

fn write_album(ffmpeg: &Path, music: &Path, album: &Album, album_index: usize) -> Result {
    let dir = music
        .join(album.artist)
        .join(format!("{} ({})", album.title, album.year));
    mkdir(&dir)?;
    let cover = match album.cover {
        Cover::Embedded => dir.join(".cover.jpg"),
        Cover::Folder(name) => dir.join(name),
    };
    make_cover(ffmpeg, &cover, album.colours)?;
    for (number, title) in album.tracks.iter().enumerate() {
        let file = dir.join(format!("{:02} - {title}.{}", number + 1, album.format));
        let mut command = lavfi(ffmpeg, &tone(album_index * 5 + number, 40));
        if matches!(album.cover, Cover::Embedded) {
            command
                .arg("-i")
                .arg(&cover)
                .args(["-map", "0:a", "-map", "1:v", "-c:v", "copy"]);
            command.args([
                "-disposition:v",
                "attached_pic",
                "-metadata:s:v",
                "comment=Cover (front)",
            ]);
        }
        command.args(codec_args(album.format));
        for (key, value) in [
            ("title", title.to_string()),
            ("artist", album.artist.to_owned()),
            ("album_artist", album.artist.to_owned()),
            ("album", album.title.to_owned()),
            ("date", album.year.to_string()),
            ("genre", album.genre.to_owned()),
            ("track", format!("{}/{}", number + 1, album.tracks.len())),
            ("disc", "1/1".to_owned()),
        ] {
            command.args(["-metadata", &format!("{key}={value}")]);
        }
        process::output("ffmpeg (track)", command.arg(&file))?;
    }
    if matches!(album.cover, Cover::Embedded) {
        let _ = std::fs::remove_file(&cover);
    }
    Ok(())
}

/// A file without tags: the catalog names it from its file name and files it
/// under the unknown artist and album.
fn write_untagged(ffmpeg: &Path, music: &Path) -> Result {
    let dir = music.join("Loose Ends");
    mkdir(&dir)?;
    process::output(
        "ffmpeg (untagged)",
        lavfi(ffmpeg, &tone(42, 30))
            .args([
                "-map_metadata",
                "-1",
                "-c:a",
                "libmp3lame",
                "-b:a",
                "96k",
                "-write_xing",
                "1",
            ])
            .arg(dir.join("field recording, harbour at dusk.mp3")),
    )
    .map(drop)
}

/// Two podcast episodes, a jingle and the show's image, served as the demo
/// Internet sources.
fn write_web_files(ffmpeg: &Path, web: &Path) -> Result {
    mkdir(web)?;
    make_cover(ffmpeg, &web.join("show.jpg"), ("0x2a9d8f", "0xf4a261"))?;
    for (name, seed, seconds, title) in [
        ("episode-1.mp3", 7, 90, "Episode 1: Tuning the Tonearm"),
        ("episode-2.mp3", 11, 120, "Episode 2: Listening Together"),
        ("jingle.mp3", 3, 15, "Tonearm Radio Jingle"),
    ] {
        process::output(
            "ffmpeg (demo web file)",
            lavfi(ffmpeg, &tone(seed, seconds))
                .args(["-c:a", "libmp3lame", "-b:a", "96k", "-id3v2_version", "3"])
                .args([
                    "-metadata",
                    &format!("title={title}"),
                    "-metadata",
                    "artist=Tonearm Radio",
                ])
                .arg(web.join(name)),
        )?;
    }
    Ok(())
}

/// The feed, written with the address it is served from.
pub fn feed_xml(base: &str) -> String {
    let item = |number: u32, title: &str, date: &str, seconds: u32, bytes: u64| {
        format!(
            "<item><title>{title}</title><guid isPermaLink=\"false\">tonearm-demo-{number}</guid>\
             <pubDate>{date}</pubDate><itunes:duration>{seconds}</itunes:duration>\
             <description>A demo episode of the Tonearm podcast.</description>\
             <enclosure url=\"{base}/episode-{number}.mp3\" length=\"{bytes}\" type=\"audio/mpeg\"/></item>"
        )
    };
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\" \
         xmlns:itunes=\"http://www.itunes.com/dtds/podcast-1.0.dtd\"><channel>\
         <title>The Tonearm Podcast</title><link>{base}/</link>\
         <description>Demo show served on loopback by cargo xtask up.</description>\
         <itunes:author>Tonearm Radio</itunes:author><itunes:image href=\"{base}/show.jpg\"/>\
         <image><url>{base}/show.jpg</url><title>The Tonearm Podcast</title><link>{base}/</link></image>\
         {}{}</channel></rss>\n",
        item(
            2,
            "Episode 2: Listening Together",
            "Tue, 03 Nov 2026 09:00:00 GMT",
            120,
            1_440_000
        ),
        item(
            1,
            "Episode 1: Tuning the Tonearm",
            "Tue, 27 Oct 2026 09:00:00 GMT",
            90,
            1_080_000
        ),
    )
}
