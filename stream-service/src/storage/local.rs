//! Files on this machine, confined to the music folders and read in
//! bounded chunks off the async runtime.

use std::{
    fs::File,
    io,
    os::unix::fs::MetadataExt as _,
    path::{Path, PathBuf},
    sync::Arc,
    time::UNIX_EPOCH,
};

use actix_web::http::header::EntityTag;
use anyhow::Context as _;

use super::{Metadata, Opened, ReadRequest, Storage, StorageError, answer, body, open_files::OpenFiles};
use crate::{conditional::Validators, sources::Source};

/// Serves files that resolve inside one of the music folders.
#[derive(Debug, Clone)]
pub struct LocalStorage {
    roots: Arc<Vec<PathBuf>>,
    chunk_size: usize,
    open_files: Arc<OpenFiles>,
}

impl LocalStorage {
    /// `roots` are canonicalised once, so symlinked music folders work; a
    /// folder that does not exist (yet) is kept as written.
    pub fn new(roots: &[PathBuf], chunk_size: usize) -> Self {
        let roots = roots
            .iter()
            .map(|root| {
                std::fs::canonicalize(root).unwrap_or_else(|error| {
                    tracing::warn!(folder = %root.display(), %error, "music folder not found");
                    root.clone()
                })
            })
            .collect::<Vec<_>>();
        if roots.is_empty() {
            tracing::warn!("TONEARM_MUSIC_DIRS is empty: no local song will be served");
        }
        Self {
            roots: Arc::new(roots),
            chunk_size,
            open_files: Arc::default(),
        }
    }
}

/// Opens `path` for reading if what it resolves to lies inside a music
/// folder. The check uses the path of the opened descriptor, so a symlink
/// swapped between check and open cannot slip through. Blocking.
fn open_confined(roots: &[PathBuf], path: &Path) -> Result<(File, PathBuf), StorageError> {
    let file = File::open(path).map_err(|error| missing(path, &error))?;
    let resolved = resolved_path(&file, path).map_err(|error| missing(path, &error))?;
    if !roots.iter().any(|root| resolved.starts_with(root)) {
        tracing::warn!(path = %path.display(), resolved = %resolved.display(), "refused: outside the music folders");
        return Err(StorageError::Outside);
    }
    Ok((file, resolved))
}

/// A regular file opened by [`LocalStorage::open_file`].
pub struct ConfinedFile {
    pub file: File,
    pub stat: std::fs::Metadata,
    /// Where it really is, every link followed.
    pub resolved: PathBuf,
}

impl LocalStorage {
    /// Opens `path`, on the blocking pool, if it is a regular file that
    /// resolves inside a music folder: the descriptor every later read (a
    /// stream, ffmpeg's input) goes through, never the path.
    pub async fn open_file(&self, path: &Path) -> Result<ConfinedFile, StorageError> {
        let roots = Arc::clone(&self.roots);
        let path = path.to_owned();
        tokio::task::spawn_blocking(move || open_file(&roots, &path))
            .await
            .context("joining the open task")?
    }
}

/// [`LocalStorage::open_file`], on the calling (blocking) thread.
fn open_file(roots: &[PathBuf], path: &Path) -> Result<ConfinedFile, StorageError> {
    let (file, resolved) = open_confined(roots, path)?;
    let stat = file.metadata().map_err(|error| missing(path, &error))?;
    if !stat.is_file() {
        return Err(StorageError::Missing);
    }
    Ok(ConfinedFile { file, stat, resolved })
}

fn missing(path: &Path, error: &io::Error) -> StorageError {
    tracing::info!(path = %path.display(), %error, "source file not readable");
    StorageError::Missing
}

/// Where an open file really is: the descriptor's link on Linux,
/// `canonicalize` elsewhere.
fn resolved_path(file: &File, path: &Path) -> io::Result<PathBuf> {
    use std::os::fd::AsRawFd as _;
    std::fs::read_link(format!("/proc/self/fd/{}", file.as_raw_fd())).or_else(|_| std::fs::canonicalize(path))
}

impl Storage for LocalStorage {
    /// A file served moments ago is answered from its kept descriptor,
    /// right here. Otherwise one task on the blocking pool opens, checks and
    /// answers, and also reads the first chunk of the body: a player's seek
    /// (a range of 64 KiB or so) then costs one trip there instead of two.
    async fn open(&self, source: &Source, request: &ReadRequest) -> Result<Opened, StorageError> {
        let crate::sources::Location::Local(path) = &source.location else {
            return Err(StorageError::Unsupported("not a local source"));
        };
        let chunk_size = self.chunk_size;
        if let Some((file, stat)) = self.open_files.get(path) {
            return Ok(answer(metadata(&stat), request, |first, len| {
                body::file_chunks(file, first, len, chunk_size)
            }));
        }
        let (roots, path, request) = (Arc::clone(&self.roots), path.clone(), request.clone());
        let open_files = Arc::clone(&self.open_files);
        tokio::task::spawn_blocking(move || {
            let ConfinedFile { file, stat, .. } = open_file(&roots, &path)?;
            let file = Arc::new(file);
            open_files.put(&path, Arc::clone(&file));
            Ok(answer(metadata(&stat), &request, |first, len| {
                if request.head_only || len == 0 {
                    return body::file_chunks(file, first, len, chunk_size);
                }
                let head = body::read_at(&file, first, body::chunk_len(len, chunk_size));
                body::with_first_chunk(head, file, first, len, chunk_size)
            }))
        })
        .await
        .context("joining the open task")?
    }
}

fn metadata(stat: &std::fs::Metadata) -> Metadata {
    let modified = stat.modified().ok();
    Metadata {
        size: Some(stat.len()),
        validators: Validators {
            etag: Some(etag(stat)),
            modified,
        },
        last_modified: modified,
        ranges: true,
    }
}

/// A strong validator that changes whenever the file is replaced or written.
fn etag(stat: &std::fs::Metadata) -> EntityTag {
    let nanos = stat
        .modified()
        .ok()
        .and_then(|time| time.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |since| since.as_nanos());
    EntityTag::new_strong(format!("{:x}-{:x}-{:x}", stat.ino(), stat.len(), nanos))
}
