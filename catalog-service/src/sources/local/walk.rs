//! Walking the music folders: audio files with their size and mtime,
//! folder images, and every problem met on the way (recorded, never fatal).

use std::{
    path::{Path, PathBuf},
    sync::atomic::{AtomicU64, Ordering},
};

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

/// What a walk leaves once every folder's files were handed over.
#[derive(Debug, Default)]
pub struct WalkEnd {
    pub problems: Vec<ScanProblem>,
    pub missing_roots: Vec<PathBuf>,
}

/// Folder image names, best first (compared without case or extension).
const COVER_NAMES: &[&str] = &["cover", "folder", "front", "album", "albumart", "artwork"];
const IMAGE_EXTENSIONS: &[&str] = &["jpg", "jpeg", "png"];

/// The rank of `path` as a folder image, lower is better.
pub fn cover_rank(path: &Path) -> Option<usize> {
    let ext = path.extension()?.to_str()?;
    if !IMAGE_EXTENSIONS
        .iter()
        .any(|known| known.eq_ignore_ascii_case(ext))
    {
        return None;
    }
    let stem = path.file_stem()?.to_str()?;
    COVER_NAMES
        .iter()
        .position(|name| name.eq_ignore_ascii_case(stem))
}

/// Walks `dirs` as [`walk_each`] does and answers every file at once.
pub fn walk(dirs: &[PathBuf], roots: &Roots, seen: &AtomicU64) -> Walked {
    let mut files = Vec::new();
    let end = walk_each(dirs, roots, seen, true, |found| files.extend(found));
    Walked {
        files,
        problems: end.problems,
        missing_roots: end.missing_roots,
    }
}

/// Walks `dirs`, following symbolic links that stay inside the music
/// folders `roots` (loops are reported; a link that leads outside is
/// reported and not followed, its songs are not listed), counting every
/// audio file in `seen` as it is found. The audio files of a folder go to
/// `each` as soon as the walk is past that folder, its image chosen, so
/// they can be read while the walk goes on. With `look` (the scan knows
/// some files), each file's size and time are read too, to tell whether
/// it changed; a first scan reads every file and skips that lookup.
pub fn walk_each(
    dirs: &[PathBuf],
    roots: &Roots,
    seen: &AtomicU64,
    look: bool,
    mut each: impl FnMut(Vec<FoundFile>),
) -> WalkEnd {
    let mut end = WalkEnd::default();
    let mut outside = Vec::new();
    for root in dirs {
        if std::fs::read_dir(root).is_err() {
            end.problems.push(ScanProblem {
                severity: Severity::Error,
                path: root.display().to_string(),
                kind: "unreadable",
                message: "the music folder cannot be read".into(),
            });
            end.missing_roots.push(root.clone());
            continue;
        }
        let entries = WalkDir::new(root)
            .follow_links(true)
            .into_iter()
            .filter_entry(|entry| stays_inside(entry, roots, &mut outside));
        let mut open = OpenFolders::default();
        for entry in entries {
            match entry {
                Ok(entry) => {
                    open.close_from(entry.depth(), &mut each);
                    if entry.file_type().is_file() {
                        visit_file(&entry, &mut open, &mut end.problems, seen, look);
                    }
                }
                Err(error) => end.problems.push(walk_problem(&error)),
            }
        }
        open.close_from(0, &mut each);
    }
    end.problems.append(&mut outside);
    end
}

/// The folders whose walk is not over, outermost first: their audio files
/// wait for the folder's image, known once every entry of the folder has
/// been seen. The walk goes depth first, so an entry at depth `d` closes
/// every open folder at depth `d` or deeper.
#[derive(Default)]
struct OpenFolders {
    stack: Vec<OpenFolder>,
}

struct OpenFolder {
    dir: PathBuf,
    depth: usize,
    files: Vec<FoundFile>,
    /// The best image so far: its rank and path.
    cover: Option<(usize, String)>,
}

impl OpenFolders {
    /// Hands over the folders an entry at `depth` is past.
    fn close_from(&mut self, depth: usize, each: &mut impl FnMut(Vec<FoundFile>)) {
        while self.stack.last().is_some_and(|folder| folder.depth >= depth) {
            if let Some(folder) = self.stack.pop() {
                folder.hand_over(each);
            }
        }
    }

    /// The folder `dir` holding an entry at `depth`, opened if it is new.
    fn holding(&mut self, dir: &Path, depth: usize) -> &mut OpenFolder {
        if self.stack.last().is_none_or(|folder| folder.dir != dir) {
            self.stack.push(OpenFolder {
                dir: dir.to_path_buf(),
                depth: depth.saturating_sub(1),
                files: Vec::new(),
                cover: None,
            });
        }
        let last = self.stack.len() - 1;
        &mut self.stack[last]
    }
}

impl OpenFolder {
    fn hand_over(self, each: &mut impl FnMut(Vec<FoundFile>)) {
        let Self { mut files, cover, .. } = self;
        if files.is_empty() {
            return;
        }
        if let Some((_, cover)) = cover {
            for file in &mut files {
                file.folder_cover = Some(cover.clone());
            }
        }
        each(files);
    }
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
    entry: &walkdir::DirEntry,
    open: &mut OpenFolders,
    problems: &mut Vec<ScanProblem>,
    seen: &AtomicU64,
    look: bool,
) {
    let path = entry.path();
    let audio = is_audio(path);
    let rank = cover_rank(path);
    let Some(dir) = path.parent() else { return };
    if !audio && rank.is_none() {
        return;
    }
    let Some(text) = path.to_str() else {
        if audio {
            problems.push(ScanProblem {
                severity: Severity::Error,
                path: path.to_string_lossy().into_owned(),
                kind: "non_utf8_name",
                message: "the file name is not valid UTF-8".into(),
            });
        }
        return;
    };
    let folder = open.holding(dir, entry.depth());
    if let Some(rank) = rank {
        if folder.cover.as_ref().is_none_or(|(best, _)| rank < *best) {
            folder.cover = Some((rank, text.to_owned()));
        }
        return;
    }
    let file = if look {
        match entry.metadata() {
            Ok(metadata) => FoundFile::new(text.to_owned(), &metadata, None),
            Err(error) => return problems.push(walk_problem(&error)),
        }
    } else {
        FoundFile::unstated(text.to_owned(), None)
    };
    seen.fetch_add(1, Ordering::Relaxed);
    folder.files.push(file);
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

    /// Every folder's files are handed over once, together, with that
    /// folder's best image, even when a subfolder is walked between them.
    #[test]
    fn each_folder_is_handed_over_with_its_own_image() {
        let root = tempfile::TempDir::new().expect("temp dir");
        let files = [
            "one.mp3",
            "a/1.mp3",
            "a/folder.png",
            "a/cover.jpg",
            "a/2.flac",
            "a/sub/3.mp3",
            "a/sub/notes.txt",
            "a/zz/4.mp3",
            "a/zz/front.jpg",
            "b/cover.png",
        ];
        for file in files {
            let path = root.path().join(file);
            std::fs::create_dir_all(path.parent().expect("a parent")).expect("folder");
            std::fs::write(&path, b"x").expect("file");
        }
        let roots = Roots::new(&[root.path().to_path_buf()]);
        let seen = AtomicU64::new(0);
        let mut groups = Vec::new();
        let end = walk_each(&[root.path().to_path_buf()], &roots, &seen, false, |files| {
            let mut names: Vec<(String, Option<String>)> = files
                .into_iter()
                .map(|file| {
                    (
                        relative(root.path(), &file.path),
                        file.folder_cover.map(|c| relative(root.path(), &c)),
                    )
                })
                .collect();
            names.sort();
            groups.push(names);
        });
        groups.sort();
        let cover = |path: &str| Some(path.to_owned());
        assert_eq!(
            groups,
            [
                vec![
                    ("a/1.mp3".into(), cover("a/cover.jpg")),
                    ("a/2.flac".into(), cover("a/cover.jpg"))
                ],
                vec![("a/sub/3.mp3".into(), None)],
                vec![("a/zz/4.mp3".into(), cover("a/zz/front.jpg"))],
                vec![("one.mp3".into(), None)],
            ]
        );
        assert_eq!(seen.load(Ordering::Relaxed), 5);
        assert!(end.problems.is_empty() && end.missing_roots.is_empty());
    }

    fn relative(root: &Path, path: &str) -> String {
        let canonical = root.canonicalize().expect("canonical root");
        let path = Path::new(path);
        let inside = path.strip_prefix(root).or_else(|_| path.strip_prefix(&canonical));
        inside.expect("inside the root").to_string_lossy().into_owned()
    }
}
