//! Files on this machine, confined to the music folders and read in
//! bounded chunks off the async runtime.

use std::{
    fs::File,
    io,
    os::unix::fs::{FileExt as _, MetadataExt as _},
    path::{Path, PathBuf},
    sync::Arc,
    time::UNIX_EPOCH,
};

use actix_web::{http::header::EntityTag, web::Bytes};
use anyhow::Context as _;

use super::{ByteStream, Metadata, Opened, ReadRequest, Storage, StorageError, answer};
use crate::{conditional::Validators, sources::Source};

/// Serves files that resolve inside one of the music folders.
#[derive(Debug, Clone)]
pub struct LocalStorage {
    roots: Arc<Vec<PathBuf>>,
    chunk_size: usize,
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
        }
    }

    /// Opens `path` for reading if what it resolves to lies inside a music
    /// folder. The check uses the path of the opened descriptor, so a
    /// symlink swapped between check and open cannot slip through.
    pub async fn open_confined(&self, path: &Path) -> Result<(File, PathBuf), StorageError> {
        let roots = Arc::clone(&self.roots);
        let path = path.to_owned();
        tokio::task::spawn_blocking(move || {
            let file = File::open(&path).map_err(|error| missing(&path, &error))?;
            let resolved = resolved_path(&file, &path).map_err(|error| missing(&path, &error))?;
            if !roots.iter().any(|root| resolved.starts_with(root)) {
                tracing::warn!(path = %path.display(), resolved = %resolved.display(), "refused: outside the music folders");
                return Err(StorageError::Outside);
            }
            Ok((file, resolved))
        })
        .await
        .context("joining the open task")?
    }
}

/// A regular file opened by [`LocalStorage::open_file`].
pub struct ConfinedFile {
    pub file: File,
    pub stat: std::fs::Metadata,
    /// Where it really is, every link followed.
    pub resolved: PathBuf,
}

impl LocalStorage {
    /// [`Self::open_confined`] for a regular file: the descriptor every
    /// later read (a stream, ffmpeg's input) goes through, never the path.
    pub async fn open_file(&self, path: &Path) -> Result<ConfinedFile, StorageError> {
        let (file, resolved) = self.open_confined(path).await?;
        let stat = file.metadata().map_err(|error| missing(path, &error))?;
        if !stat.is_file() {
            return Err(StorageError::Missing);
        }
        Ok(ConfinedFile { file, stat, resolved })
    }
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
    async fn open(&self, source: &Source, request: &ReadRequest) -> Result<Opened, StorageError> {
        let crate::sources::Location::Local(path) = &source.location else {
            return Err(StorageError::Unsupported("not a local source"));
        };
        let ConfinedFile { file, stat, .. } = self.open_file(path).await?;
        let modified = stat.modified().ok();
        let meta = Metadata {
            size: Some(stat.len()),
            validators: Validators {
                etag: Some(etag(&stat)),
                modified,
            },
            last_modified: modified,
            ranges: true,
        };
        let file = Arc::new(file);
        let chunk_size = self.chunk_size;
        Ok(answer(meta, request, |first, len| {
            file_chunks(file, first, len, chunk_size)
        }))
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

/// `len` bytes from `first`, one bounded positional read at a time on the
/// blocking pool; a file that shrinks mid-way ends the stream with an error.
pub fn file_chunks(file: Arc<File>, first: u64, len: u64, chunk_size: usize) -> ByteStream {
    Box::pin(futures_util::stream::try_unfold(
        (file, first, len),
        move |(file, position, left)| async move {
            if left == 0 {
                return Ok(None);
            }
            let want = usize::try_from(left).map_or(chunk_size, |left| left.min(chunk_size));
            let reader = Arc::clone(&file);
            let buffer = tokio::task::spawn_blocking(move || read_at(&reader, position, want))
                .await
                .map_err(io::Error::other)??;
            let read = buffer.len() as u64;
            Ok(Some((buffer, (file, position + read, left - read))))
        },
    ))
}

fn read_at(file: &File, position: u64, want: usize) -> io::Result<Bytes> {
    let mut buffer = vec![0; want];
    let read = file.read_at(&mut buffer, position)?;
    if read == 0 {
        return Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            "the file shrank while being sent",
        ));
    }
    buffer.truncate(read);
    Ok(Bytes::from(buffer))
}
