//! Generated libraries of real tagged audio: four small templates made
//! with ffmpeg, copied and re-tagged with lofty (about 10 tracks an album,
//! 8 albums an artist), kept between runs.

use std::{
    path::{Path, PathBuf},
    process::Command,
};

use anyhow::{Context as _, bail};
use lofty::{
    config::WriteOptions,
    prelude::{Accessor, ItemKey, TagExt, TaggedFileExt},
    tag::Tag,
};
use rayon::prelude::*;

/// Creates (once) a library of `files` files in `formats` under `root`.
pub fn ensure(root: &Path, files: usize, formats: &[&str]) -> anyhow::Result<PathBuf> {
    let dir = root.join(format!("library-{files}-{}", formats.join("-")));
    let done = dir.join(".complete");
    if done.exists() {
        return Ok(dir);
    }
    if dir.exists() {
        std::fs::remove_dir_all(&dir).context("removing a partial library")?;
    }
    let templates = root.join("templates");
    std::fs::create_dir_all(&templates)?;
    let bytes: Vec<Vec<u8>> = formats
        .iter()
        .map(|format| template(&templates, format))
        .collect::<anyhow::Result<_>>()?;
    (0..files)
        .into_par_iter()
        .try_for_each(|index| write_track(&dir, index, formats, &bytes))?;
    std::fs::write(&done, b"")?;
    Ok(dir)
}

fn template(dir: &Path, format: &str) -> anyhow::Result<Vec<u8>> {
    let path = dir.join(format!("template.{format}"));
    if !path.exists() {
        let codec: &[&str] = match format {
            "mp3" => &["-c:a", "libmp3lame", "-b:a", "64k"],
            "flac" => &["-c:a", "flac"],
            "ogg" => &["-c:a", "libvorbis", "-q:a", "0"],
            "m4a" => &["-c:a", "aac", "-b:a", "64k"],
            other => bail!("no template for {other}"),
        };
        let status = Command::new("ffmpeg")
            .args([
                "-v",
                "error",
                "-y",
                "-f",
                "lavfi",
                "-i",
                "sine=frequency=440:duration=2",
            ])
            .args(codec)
            .arg(&path)
            .status()
            .context("running ffmpeg")?;
        if !status.success() {
            bail!("ffmpeg failed to make {format}");
        }
    }
    Ok(std::fs::read(&path)?)
}

/// Track `index`: artist index / 80, album (index / 10) % 8, track index % 10.
fn write_track(dir: &Path, index: usize, formats: &[&str], templates: &[Vec<u8>]) -> anyhow::Result<()> {
    let (artist, album, track) = (index / 80, (index / 10) % 8, index % 10);
    let format_index = index % formats.len();
    let folder = dir
        .join(format!("Artist {artist:04}"))
        .join(format!("Album {album} of {artist:04}"));
    std::fs::create_dir_all(&folder)?;
    let path = folder.join(format!(
        "{:02} - Track {index}.{}",
        track + 1,
        formats[format_index]
    ));
    std::fs::write(&path, &templates[format_index])?;
    let tagged = lofty::read_from_path(&path).with_context(|| format!("reading {}", path.display()))?;
    let mut tag = Tag::new(tagged.primary_tag_type());
    tag.set_title(format!("Song {index} {}", WORDS[index % WORDS.len()]));
    tag.set_artist(format!("Artist {artist:04} {}", WORDS[artist % WORDS.len()]));
    tag.set_album(format!("Album {album} of {artist:04}"));
    tag.set_track(track as u32 + 1);
    tag.set_track_total(10);
    tag.set_genre(GENRES[artist % GENRES.len()].to_owned());
    tag.insert_text(ItemKey::RecordingDate, format!("{}", 1970 + artist % 50));
    tag.save_to_path(&path, WriteOptions::default())
        .with_context(|| format!("tagging {}", path.display()))?;
    Ok(())
}

/// Words mixed into titles so searches have something to find.
pub const WORDS: &[&str] = &[
    "Björk",
    "Breathe",
    "Yellow",
    "Submarine",
    "Océan",
    "Night",
    "Daylight",
    "Señorita",
    "River",
    "Motörhead",
    "Echo",
    "Silence",
    "Garden",
    "Electric",
    "Blue",
    "Summer",
    "Winter",
    "Crème",
    "Paradise",
    "Thunder",
];

const GENRES: &[&str] = &["Rock", "Jazz", "Electronic", "Pop", "Classical", "Folk"];
