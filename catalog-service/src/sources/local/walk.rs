//! Walking the music folders: audio files with their size and mtime,
//! folder images, and every problem met on the way (recorded, never fatal).

use std::{
    collections::HashMap,
    path::{Path, PathBuf},
    sync::atomic::{AtomicU64, Ordering},
};

use chrono::{DateTime, SubsecRound as _, Utc};
use common::confine::Roots;
use walkdir::WalkDir;

use super::tags::{FoundFile, is_audio};
pub use crate::domain::scan::ScanProblem;
use crate::domain::scan::Severity;

/// What a walk found.
#[derive(Debug, Default)]
pub struct Walked {
    pub files: Vec<FoundFile>,
    pub problems: Vec<ScanProblem>,
    /// Music folders that could not be opened at all: songs under them are
    /// kept (an unmounted disk must not empty the library).
    pub missing_roots: Vec<PathBuf>,
}

/// Folder image names, best first (compared without case or extension).
const COVER_NAMES: &[&str] = &["cover", "folder", "front", "album", "albumart", "artwork"];
const IMAGE_EXTENSIONS: &[&str] = &["jpg", "jpeg", "png"];

/// The rank of `path` as a folder image, lower is better.
pub fn cover_rank(path: &Path) -> Option<usize> {
    let ext = path.extension()?.to_str()?.to_ascii_lowercase();
    if !IMAGE_EXTENSIONS.contains(&ext.as_str()) {
        return None;
    }
    let stem = path.file_stem()?.to_str()?.to_ascii_lowercase();
    COVER_NAMES.iter().position(|name| *name == stem)
}

/// Walks `dirs`, following symbolic links that stay inside the music
/// folders `roots` (loops are reported; a link that leads outside is
/// reported and not followed, its songs are not listed), counting every
/// audio file in `seen` as it is found.
pub fn walk(dirs: &[PathBuf], roots: &Roots, seen: &AtomicU64) -> Walked {
    let mut walked = Walked::default();
    let mut covers: HashMap<PathBuf, (usize, String)> = HashMap::new();
    let mut outside = Vec::new();
    for root in dirs {
        if std::fs::read_dir(root).is_err() {
            walked.problems.push(ScanProblem {
                severity: Severity::Error,
                path: root.display().to_string(),
                kind: "unreadable",
                message: "the music folder cannot be read".into(),
            });
            walked.missing_roots.push(root.clone());
            continue;
        }
        let entries = WalkDir::new(root)
            .follow_links(true)
            .into_iter()
            .filter_entry(|entry| stays_inside(entry, roots, &mut outside));
        for entry in entries {
            match entry {
                Ok(entry) if entry.file_type().is_file() => {
                    visit_file(entry, &mut walked, &mut covers, seen);
                }
                Ok(_) => {}
                Err(error) => walked.problems.push(walk_problem(&error)),
            }
        }
    }
    walked.problems.append(&mut outside);
    for file in &mut walked.files {
        let parent = Path::new(&file.path).parent().map(Path::to_path_buf);
        file.folder_cover = parent
            .and_then(|dir| covers.get(&dir))
            .map(|(_, path)| path.clone());
    }
    walked
}

/// Whether the walk may use `entry`: anything but a symbolic link (file or
/// folder) that resolves outside the music folders, which is recorded.
fn stays_inside(entry: &walkdir::DirEntry, roots: &Roots, outside: &mut Vec<ScanProblem>) -> bool {
    if !entry.path_is_symlink() || roots.leads_inside(entry.path()) {
        return true;
    }
    outside.push(ScanProblem {
        severity: Severity::Error,
        path: entry.path().to_string_lossy().into_owned(),
        kind: "outside_music_folders",
        message: "a symbolic link leads outside the music folders; it is not followed".into(),
    });
    false
}

fn visit_file(
    entry: walkdir::DirEntry,
    walked: &mut Walked,
    covers: &mut HashMap<PathBuf, (usize, String)>,
    seen: &AtomicU64,
) {
    let path = entry.path();
    let audio = is_audio(path);
    let rank = cover_rank(path);
    if !audio && rank.is_none() {
        return;
    }
    let Some(text) = path.to_str() else {
        if audio {
            walked.problems.push(ScanProblem {
                severity: Severity::Error,
                path: path.to_string_lossy().into_owned(),
                kind: "non_utf8_name",
                message: "the file name is not valid UTF-8".into(),
            });
        }
        return;
    };
    if let (Some(rank), Some(dir)) = (rank, path.parent()) {
        let best = covers
            .entry(dir.to_path_buf())
            .or_insert((usize::MAX, String::new()));
        if rank < best.0 {
            *best = (rank, text.to_owned());
        }
        return;
    }
    let metadata = match entry.metadata() {
        Ok(metadata) => metadata,
        Err(error) => return walked.problems.push(walk_problem(&error)),
    };
    seen.fetch_add(1, Ordering::Relaxed);
    walked.files.push(FoundFile {
        path: text.to_owned(),
        size: metadata.len() as i64,
        // PostgreSQL keeps microseconds; comparing at that precision lets an
        // unchanged file be recognised on the next scan.
        modified_at: metadata
            .modified()
            .map(DateTime::<Utc>::from)
            .unwrap_or_default()
            .trunc_subsecs(6),
        folder_cover: None,
    });
}

fn walk_problem(error: &walkdir::Error) -> ScanProblem {
    let path = error
        .path()
        .map(|path| path.to_string_lossy().into_owned())
        .unwrap_or_default();
    match error.loop_ancestor() {
        Some(ancestor) => ScanProblem {
            severity: Severity::Error,
            path,
            kind: "symlink_loop",
            message: format!("a symbolic link loops back to {}", ancestor.display()),
        },
        None => ScanProblem {
            severity: Severity::Error,
            path,
            kind: "unreadable",
            message: error
                .io_error()
                .map_or_else(|| error.to_string(), |io| io.to_string()),
        },
    }
}

/// The best folder image in `dir`, if any (links that lead outside the
/// music folders `roots` aside).
pub fn folder_cover(dir: &Path, roots: &Roots) -> Option<String> {
    std::fs::read_dir(dir)
        .ok()?
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let path = entry.path();
            let rank = cover_rank(&path)?;
            roots.leads_inside(&path).then_some(())?;
            Some((rank, path.to_str()?.to_owned()))
        })
        .min()
        .map(|(_, path)| path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folder_images_are_ranked_by_name() {
        assert_eq!(cover_rank(Path::new("/m/a/Cover.JPG")), Some(0));
        assert_eq!(cover_rank(Path::new("/m/a/folder.png")), Some(1));
        assert_eq!(cover_rank(Path::new("/m/a/booklet.jpg")), None);
        assert_eq!(cover_rank(Path::new("/m/a/cover.txt")), None);
    }
}
