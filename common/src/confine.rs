//! Opening files only inside a set of folders (the music folders, a
//! service's own data folder).
//!
//! A path inside a folder can still lead anywhere: a symbolic link planted
//! as `cover.jpg` may point at `/proc/self/environ`. [`Roots::open`] opens
//! the path, then asks the kernel where the *opened* file really is (the
//! descriptor's link under `/proc/self/fd`, `canonicalize` where there is
//! none) and refuses it unless that lies inside one of the roots, so a link
//! swapped between a check and the open cannot slip through.
//!
//! [`Opener`], for callers that need the file only (a scan opens every file
//! of the library), first asks the kernel to resolve the path beneath its
//! root (`openat2` with `RESOLVE_BENEATH`): one lookup, where the check
//! above costs a second lookup and a round trip through `/proc`.

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

    /// Opens the regular file `path` for reading if it lies inside a root,
    /// as [`Roots::open`] does, without answering where it resolved to
    /// ([`Opener`] for many files). Blocking.
    pub fn open_file(&self, path: &Path) -> Result<OpenedFile, ConfineError> {
        self.opener().open(path)
    }

    /// Opens files as [`Roots::open_file`] does, keeping the roots' folders
    /// open while it lives: for a batch of files, not for keeping.
    pub fn opener(&self) -> Opener<'_> {
        Opener {
            roots: self,
            folders: std::iter::repeat_with(|| None)
                .take(self.canonical.len())
                .collect(),
        }
    }
}

/// A regular file opened inside the roots, with its length and
/// modification time when opened.
#[derive(Debug)]
pub struct OpenedFile {
    pub file: File,
    pub len: u64,
    /// `None` where the file system keeps no modification time.
    pub modified: Option<std::time::SystemTime>,
}

impl OpenedFile {
    fn new(file: File, metadata: &std::fs::Metadata) -> Self {
        Self {
            file,
            len: metadata.len(),
            modified: metadata.modified().ok(),
        }
    }
}

/// Opens files inside the [`Roots`] it came from ([`Roots::opener`]).
///
/// The kernel resolves each path beneath the canonical root it is written
/// under, refusing any step (`..`, a link) that leaves it: one lookup, where
/// [`Roots::open`] costs a second one and a round trip through `/proc`.
/// Where that is refused or cannot be asked (a link into another root, an
/// absolute link, a root written through a link, a kernel or sandbox without
/// `openat2`), [`Roots::open`] decides, so the answer is the same either way.
pub struct Opener<'r> {
    roots: &'r Roots,
    /// Each root's folder, opened the first time a path under it is.
    folders: Vec<Option<std::os::fd::OwnedFd>>,
}

impl Opener<'_> {
    /// Opens the regular file `path` for reading if it lies inside a root.
    pub fn open(&mut self, path: &Path) -> Result<OpenedFile, ConfineError> {
        if let Some(opened) = self.open_beneath_root(path) {
            return Ok(opened);
        }
        let (file, _) = self.roots.open(path)?;
        let metadata = file.metadata().map_err(|source| ConfineError::Unreadable {
            path: path.to_owned(),
            source,
        })?;
        Ok(OpenedFile::new(file, &metadata))
    }

    /// The regular file `path`, resolved beneath its root by the kernel;
    /// `None` for anything else, left to [`Roots::open`].
    #[cfg(target_os = "linux")]
    fn open_beneath_root(&mut self, path: &Path) -> Option<OpenedFile> {
        use rustix::fs::{Mode, OFlags, ResolveFlags, fcntl_setfl, open, openat2};

        let (index, relative) = self
            .roots
            .canonical
            .iter()
            .enumerate()
            .find_map(|(index, root)| Some((index, path.strip_prefix(root).ok()?)))?;
        let folder = match &mut self.folders[index] {
            Some(folder) => folder,
            empty => empty.insert(
                open(
                    &self.roots.canonical[index],
                    OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC,
                    Mode::empty(),
                )
                .ok()?,
            ),
        };
        // Non-blocking, so a pipe planted in the library is not waited on;
        // it is refused below, and a regular file gets its blocking mode back.
        let file = openat2(
            &*folder,
            relative,
            OFlags::RDONLY | OFlags::NONBLOCK | OFlags::NOCTTY | OFlags::CLOEXEC,
            Mode::empty(),
            ResolveFlags::BENEATH | ResolveFlags::NO_MAGICLINKS,
        )
        .ok()?;
        let file = File::from(file);
        let metadata = file.metadata().ok()?;
        if !metadata.is_file() {
            return None;
        }
        fcntl_setfl(&file, OFlags::empty()).ok()?;
        Some(OpenedFile::new(file, &metadata))
    }

    #[cfg(not(target_os = "linux"))]
    fn open_beneath_root(&mut self, _path: &Path) -> Option<OpenedFile> {
        None
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

    #[test]
    fn open_file_refuses_what_open_refuses() {
        let (_dir, inside, outside) = folders();
        symlink(outside.join("secret"), inside.join("cover.jpg")).expect("link");
        symlink("/proc/self/environ", inside.join("folder.jpg")).expect("link");
        symlink("../outside/secret", inside.join("relative.jpg")).expect("link");
        let roots = Roots::new(std::slice::from_ref(&inside));
        for planted in ["cover.jpg", "folder.jpg", "relative.jpg"] {
            assert!(
                matches!(
                    roots.open_file(&inside.join(planted)),
                    Err(ConfineError::Outside { .. })
                ),
                "{planted} was opened"
            );
        }
        let climbing = inside.join("..").join("outside").join("secret");
        assert!(matches!(
            roots.open_file(&climbing),
            Err(ConfineError::Outside { .. })
        ));
        assert!(matches!(
            roots.open_file(&inside),
            Err(ConfineError::NotAFile { .. })
        ));
        assert!(matches!(
            roots.open_file(&inside.join("nope")),
            Err(ConfineError::Unreadable { .. })
        ));
    }

    #[test]
    fn open_file_opens_files_and_links_that_stay_inside_the_roots() {
        let (_dir, inside, outside) = folders();
        let roots = Roots::new(&[inside.clone(), outside.clone()]);
        symlink("song.mp3", inside.join("alias.mp3")).expect("link");
        // Absolute, and into another root: refused beneath the root, then
        // allowed by the full check.
        symlink(inside.join("song.mp3"), inside.join("absolute.mp3")).expect("link");
        symlink(outside.join("secret"), inside.join("other-root.mp3")).expect("link");
        let read = |name: &str| {
            let mut file = roots.open_file(&inside.join(name)).expect(name).file;
            let mut text = String::new();
            std::io::Read::read_to_string(&mut file, &mut text).expect("read");
            text
        };
        assert_eq!(read("song.mp3"), "song");
        assert_eq!(read("alias.mp3"), "song");
        assert_eq!(read("absolute.mp3"), "song");
        assert_eq!(read("other-root.mp3"), "secret");
    }

    #[test]
    fn open_file_refuses_a_pipe_without_waiting_for_a_writer() {
        let (_dir, inside, _outside) = folders();
        let pipe = inside.join("song.flac");
        let made = std::process::Command::new("mkfifo")
            .arg(&pipe)
            .status()
            .expect("mkfifo");
        assert!(made.success());
        let roots = Roots::new(std::slice::from_ref(&inside));
        assert!(matches!(
            roots.open_file(&pipe),
            Err(ConfineError::NotAFile { .. })
        ));
    }
}
