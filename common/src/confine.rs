//! Opening files only inside a set of folders (the music folders, a
//! service's own data folder).
//!
//! A path inside a folder can still lead anywhere: a symbolic link planted
//! as `cover.jpg` may point at `/proc/self/environ`. [`Roots::open`] opens
//! the path, then asks the kernel where the *opened* file really is (the
//! descriptor's link under `/proc/self/fd`, `canonicalize` where there is
//! none) and refuses it unless that lies inside one of the roots, so a link
//! swapped between a check and the open cannot slip through.

use std::{
    fs::File,
    io,
    path::{Path, PathBuf},
    sync::Arc,
};

/// Why a file was not opened.
#[derive(Debug, thiserror::Error)]
pub enum ConfineError {
    /// The file does not exist or cannot be opened.
    #[error("{path} cannot be opened: {source}")]
    Unreadable {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    /// The path resolves outside every root (a symbolic link that escapes).
    #[error("{path} leads outside the allowed folders")]
    Outside { path: PathBuf },
    /// The path is a folder, a device or a pipe, not a regular file.
    #[error("{path} is not a regular file")]
    NotAFile { path: PathBuf },
}

/// Folders files may be read from, canonicalised once.
#[derive(Debug, Clone)]
pub struct Roots {
    canonical: Arc<[PathBuf]>,
}

impl Roots {
    /// `roots` are canonicalised now, so a root that is itself a symbolic
    /// link works; a root that does not exist (yet) is kept as written.
    pub fn new(roots: &[PathBuf]) -> Self {
        let canonical = roots
            .iter()
            .map(|root| std::fs::canonicalize(root).unwrap_or_else(|_| root.clone()))
            .collect::<Vec<_>>();
        Self {
            canonical: canonical.into(),
        }
    }

    /// The canonical roots.
    pub fn canonical(&self) -> &[PathBuf] {
        &self.canonical
    }

    /// Whether an already resolved (canonical) path lies inside a root.
    pub fn contains(&self, resolved: &Path) -> bool {
        self.canonical.iter().any(|root| resolved.starts_with(root))
    }

    /// Whether what `path` resolves to now lies inside a root. For
    /// decisions such as whether to walk into a linked folder; reading
    /// goes through [`Roots::open`], which checks the opened file.
    pub fn leads_inside(&self, path: &Path) -> bool {
        std::fs::canonicalize(path).is_ok_and(|resolved| self.contains(&resolved))
    }

    /// Opens the regular file `path` for reading if the opened file lies
    /// inside a root; answers it with its resolved path. Blocking.
    pub fn open(&self, path: &Path) -> Result<(File, PathBuf), ConfineError> {
        let unreadable = |source| ConfineError::Unreadable {
            path: path.to_owned(),
            source,
        };
        // Opening a pipe would block until a writer comes: look first. The
        // check is only a courtesy; the one that matters is on the opened file.
        if !std::fs::metadata(path).map_err(unreadable)?.is_file() {
            return Err(ConfineError::NotAFile {
                path: path.to_owned(),
            });
        }
        let file = File::open(path).map_err(unreadable)?;
        let resolved = resolved_path(&file, path).map_err(unreadable)?;
        if !self.contains(&resolved) {
            return Err(ConfineError::Outside {
                path: path.to_owned(),
            });
        }
        if !file.metadata().map_err(unreadable)?.is_file() {
            return Err(ConfineError::NotAFile {
                path: path.to_owned(),
            });
        }
        Ok((file, resolved))
    }
}

/// Where an open file really is: the descriptor's link on Linux,
/// `canonicalize` of the path elsewhere.
pub fn resolved_path(file: &File, path: &Path) -> io::Result<PathBuf> {
    use std::os::fd::AsRawFd as _;
    std::fs::read_link(format!("/proc/self/fd/{}", file.as_raw_fd())).or_else(|_| std::fs::canonicalize(path))
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::symlink;

    use super::*;

    fn folders() -> (tempfile::TempDir, PathBuf, PathBuf) {
        let dir = tempfile::tempdir().expect("temp dir");
        let inside = dir.path().join("inside");
        let outside = dir.path().join("outside");
        std::fs::create_dir_all(&inside).expect("inside");
        std::fs::create_dir_all(&outside).expect("outside");
        std::fs::write(outside.join("secret"), "secret").expect("secret");
        std::fs::write(inside.join("song.mp3"), "song").expect("song");
        (dir, inside, outside)
    }

    #[test]
    fn a_link_planted_inside_that_leads_outside_is_refused() {
        let (_dir, inside, outside) = folders();
        symlink(outside.join("secret"), inside.join("cover.jpg")).expect("link");
        symlink("/proc/self/environ", inside.join("folder.jpg")).expect("link");
        let roots = Roots::new(std::slice::from_ref(&inside));
        assert!(matches!(
            roots.open(&inside.join("cover.jpg")),
            Err(ConfineError::Outside { .. })
        ));
        assert!(matches!(
            roots.open(&inside.join("folder.jpg")),
            Err(ConfineError::Outside { .. })
        ));
        assert!(!roots.leads_inside(&inside.join("cover.jpg")));
    }

    #[test]
    fn files_and_links_inside_are_opened() {
        let (_dir, inside, _outside) = folders();
        symlink(inside.join("song.mp3"), inside.join("alias.mp3")).expect("link");
        let roots = Roots::new(std::slice::from_ref(&inside));
        let (_, resolved) = roots.open(&inside.join("alias.mp3")).expect("inside");
        assert!(resolved.ends_with("inside/song.mp3"));
        assert!(matches!(roots.open(&inside), Err(ConfineError::NotAFile { .. })));
        assert!(matches!(
            roots.open(&inside.join("nope")),
            Err(ConfineError::Unreadable { .. })
        ));
    }
}
