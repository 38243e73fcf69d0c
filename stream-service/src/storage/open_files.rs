//! Descriptors of recently served files, kept open so that a player's burst
//! of range requests does not open, resolve and check the same file each
//! time (and need no trip to the blocking pool for it).
//!
//! A kept descriptor is used only while its path still names the very file
//! (same device and inode) that passed the music-folder check when it was
//! opened: a file deleted, replaced or turned into a link since then sends
//! the request through a fresh open and check. A file rewritten in place
//! is the same file; its size and validators come from `fstat` on every
//! request, so they are never stale either.

use std::{
    collections::HashMap,
    fs::{File, Metadata},
    os::unix::fs::MetadataExt as _,
    path::{Path, PathBuf},
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

/// How many descriptors are kept at most (well under the usual limit of
/// 1,024 open files per process).
const MAX_ENTRIES: usize = 128;
/// A descriptor not used for this long is closed when another file is
/// next opened.
const IDLE: Duration = Duration::from_secs(10);

/// The kept descriptors, by the path the catalog gave.
#[derive(Debug, Default)]
pub struct OpenFiles {
    entries: Mutex<HashMap<PathBuf, Entry>>,
}

#[derive(Debug)]
struct Entry {
    file: Arc<File>,
    used: Instant,
}

impl OpenFiles {
    /// The kept descriptor of `path` and its current metadata, when `path`
    /// still names the file it was opened on. Costs a `stat` of the path
    /// and an `fstat` of the descriptor (no `open`, no check).
    pub fn get(&self, path: &Path) -> Option<(Arc<File>, Metadata)> {
        let file = {
            let mut entries = self.entries.lock().ok()?;
            let entry = entries.get_mut(path)?;
            entry.used = Instant::now();
            Arc::clone(&entry.file)
        };
        let named = std::fs::metadata(path).ok();
        let held = file.metadata().ok();
        match (named, held) {
            (Some(named), Some(held)) if same_file(&named, &held) && held.is_file() => Some((file, held)),
            _ => {
                self.forget(path);
                None
            }
        }
    }

    /// Keeps `file`, which was opened from `path` and passed the check.
    pub fn put(&self, path: &Path, file: Arc<File>) {
        let Ok(mut entries) = self.entries.lock() else {
            return;
        };
        // Only on this slow path (a file just opened and checked): closes
        // descriptors nobody used lately, among them those of deleted
        // files, whose space the disk gets back only then.
        entries.retain(|_, entry| entry.used.elapsed() < IDLE);
        if entries.len() >= MAX_ENTRIES {
            entries.clear();
        }
        let used = Instant::now();
        entries.insert(path.to_owned(), Entry { file, used });
    }

    fn forget(&self, path: &Path) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.remove(path);
        }
    }
}

fn same_file(a: &Metadata, b: &Metadata) -> bool {
    a.dev() == b.dev() && a.ino() == b.ino()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch() -> PathBuf {
        let dir = std::env::temp_dir().join(format!("tonearm-open-files-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("creates");
        dir
    }

    #[test]
    fn a_kept_descriptor_is_dropped_once_its_path_names_another_file() {
        let dir = scratch();
        let path = dir.join("song.flac");
        std::fs::write(&path, b"first").expect("writes");
        let files = OpenFiles::default();
        files.put(&path, Arc::new(File::open(&path).expect("opens")));
        assert_eq!(files.get(&path).map(|(_, stat)| stat.len()), Some(5));
        // Rewritten in place: the same file, its new size seen at once.
        std::fs::write(&path, b"second").expect("rewrites");
        assert_eq!(files.get(&path).map(|(_, stat)| stat.len()), Some(6));
        // Replaced by another file: never served from the old descriptor.
        std::fs::write(dir.join("other"), b"other").expect("writes");
        std::fs::rename(dir.join("other"), &path).expect("replaces");
        assert!(files.get(&path).is_none());
        assert!(files.get(&path).is_none(), "the stale entry is gone");
        std::fs::remove_dir_all(&dir).expect("cleans up");
    }
}
