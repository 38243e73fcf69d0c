//! The bytes of a local file as a body: positional reads of bounded
//! chunks, from the page cache right on the async thread when the kernel
//! can answer without waiting for the disk, otherwise on the blocking pool.

use std::{fs::File, io, sync::Arc};

use actix_web::web::Bytes;
use futures_util::StreamExt as _;
use rustix::io::{IoSliceMut, ReadWriteFlags};

use super::ByteStream;

/// The body of `len` bytes from `first` whose first chunk, `head`, was
/// already read: the rest follows with [`file_chunks`].
pub fn with_first_chunk(
    head: io::Result<Bytes>,
    file: Arc<File>,
    first: u64,
    len: u64,
    chunk_size: usize,
) -> ByteStream {
    let read = head.as_ref().map_or(len, |head| head.len() as u64);
    let head = futures_util::stream::once(std::future::ready(head));
    if read >= len {
        return Box::pin(head);
    }
    Box::pin(head.chain(file_chunks(file, first + read, len - read, chunk_size)))
}

/// `len` bytes from `first`, one bounded positional read at a time: from
/// the page cache right here when it holds them, otherwise on the blocking
/// pool; a file that shrinks mid-way ends the stream with an error.
pub fn file_chunks(file: Arc<File>, first: u64, len: u64, chunk_size: usize) -> ByteStream {
    Box::pin(futures_util::stream::try_unfold(
        (file, first, len),
        move |(file, position, left)| async move {
            if left == 0 {
                return Ok(None);
            }
            let want = chunk_len(left, chunk_size);
            let buffer = match read_if_cached(&file, position, want) {
                Some(buffer) => buffer,
                None => {
                    let reader = Arc::clone(&file);
                    tokio::task::spawn_blocking(move || read_at(&reader, position, want))
                        .await
                        .map_err(io::Error::other)??
                }
            };
            let read = buffer.len() as u64;
            Ok(Some((buffer, (file, position + read, left - read))))
        },
    ))
}

pub fn chunk_len(left: u64, chunk_size: usize) -> usize {
    usize::try_from(left).map_or(chunk_size, |left| left.min(chunk_size))
}

/// Up to `want` bytes at `position`, in one `pread` into a buffer that is
/// not zeroed first (zeroing cost as many instructions as the read itself;
/// `read_to_end` avoids it too but reads in 8, 16, 32 KiB steps).
pub fn read_at(file: &File, position: u64, want: usize) -> io::Result<Bytes> {
    if want == 0 {
        return Ok(Bytes::new());
    }
    let mut buffer = Vec::with_capacity(want);
    let read = rustix::io::retry_on_intr(|| {
        rustix::io::pread(file, rustix::buffer::spare_capacity(&mut buffer), position)
    })?;
    if read == 0 {
        return Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            "the file shrank while being sent",
        ));
    }
    Ok(Bytes::from(buffer))
}

/// Up to `want` bytes at `position` if the page cache holds them, read on
/// the calling thread (`preadv2` with `RWF_NOWAIT`, Linux 4.14): a trip to
/// the blocking pool costs two context switches, more than the read. `None`
/// when the disk would be needed, the kernel cannot tell, or nothing is
/// left (the blocking read then reports it).
fn read_if_cached(file: &File, position: u64, want: usize) -> Option<Bytes> {
    let mut buffer = vec![0; want];
    let read = rustix::io::preadv2(
        file,
        &mut [IoSliceMut::new(&mut buffer)],
        position,
        ReadWriteFlags::NOWAIT,
    )
    .ok()?;
    if read == 0 {
        return None;
    }
    buffer.truncate(read);
    Some(Bytes::from(buffer))
}
