//! A file seen through windows read in one system call each: its head, its
//! tail, and the last region read elsewhere.
//!
//! Tag readers seek back and forth (ID3v2 at the head, ID3v1/APE and the
//! last Ogg page at the tail, MP4 atoms wherever they are). Through a
//! `BufReader` every seek throws the buffer away and costs a fresh read, so
//! a small file is read many times over. Here the regions a tag reader
//! visits are read once; seeking is arithmetic.

use std::{
    borrow::Borrow,
    fs::File,
    io::{self, Read, Seek, SeekFrom},
    num::NonZeroU64,
    os::unix::fs::FileExt as _,
};

use rustix::{
    fs::{Advice, fadvise},
    io::ReadWriteFlags,
};

/// Bytes read at the start of every file: the tags of most files (ID3v2,
/// FLAC metadata blocks, Vorbis comments) lie there, covers aside.
const HEAD: u64 = 64 * 1024;
/// Bytes read at the end: ID3v1, APE, Lyrics3 and the last Ogg page.
const TAIL: u64 = 16 * 1024;
/// Bytes read around a position outside both windows.
const MIDDLE: u64 = 16 * 1024;

/// Asks the kernel to start reading the windows of `file` from the disk
/// when its head is not in the page cache (a first scan after a boot):
/// the reads of a whole hand-over are then in flight at once, instead of
/// one after another on each reading thread. A file in the cache costs one
/// `preadv2(RWF_NOWAIT)` of a byte; where that is not supported, nothing
/// is done. `len` is the file's length. Answers whether the file was cold.
pub fn prefetch_if_cold(file: &File, len: u64) -> bool {
    let mut byte = [0u8; 1];
    let probe = rustix::io::preadv2(
        file,
        &mut [io::IoSliceMut::new(&mut byte)],
        0,
        ReadWriteFlags::NOWAIT,
    );
    if probe != Err(rustix::io::Errno::AGAIN) {
        return false;
    }
    // Advice only: a refusal changes nothing but speed.
    let _ = fadvise(file, 0, NonZeroU64::new(HEAD.min(len)), Advice::WillNeed);
    if len > HEAD {
        let start = (len - TAIL).max(HEAD);
        let _ = fadvise(file, start, NonZeroU64::new(len - start), Advice::WillNeed);
    }
    true
}

/// Bytes of the file at `start..start + bytes.len()`.
#[derive(Default)]
struct Window {
    start: u64,
    bytes: Vec<u8>,
}

impl Window {
    fn read(file: &File, start: u64, len: u64) -> io::Result<Self> {
        let mut bytes = vec![0; len as usize];
        let mut filled = 0;
        while filled < bytes.len() {
            match file.read_at(&mut bytes[filled..], start + filled as u64)? {
                0 => break,
                n => filled += n,
            }
        }
        bytes.truncate(filled);
        Ok(Self { start, bytes })
    }

    /// The bytes from `pos` to the end of the window, if `pos` is inside.
    fn after(&self, pos: u64) -> Option<&[u8]> {
        let offset = pos.checked_sub(self.start)? as usize;
        self.bytes.get(offset..).filter(|rest| !rest.is_empty())
    }
}

/// `Read + Seek` over a file (owned or borrowed) through its windows.
pub struct Windowed<F = File> {
    file: F,
    len: u64,
    pos: u64,
    head: Window,
    tail: Window,
    middle: Window,
}

impl<F: Borrow<File>> Windowed<F> {
    /// Reads the head and tail windows of an opened file.
    pub fn new(file: F) -> io::Result<Self> {
        let len = file.borrow().metadata()?.len();
        Self::with_len(file, len)
    }

    /// [`Windowed::new`] of a file whose length `len` is known.
    pub fn with_len(file: F, len: u64) -> io::Result<Self> {
        let head = Window::read(file.borrow(), 0, HEAD.min(len))?;
        let tail = if len > HEAD {
            let start = (len - TAIL).max(HEAD);
            Window::read(file.borrow(), start, len - start)?
        } else {
            Window::default()
        };
        Ok(Self {
            file,
            len,
            pos: 0,
            head,
            tail,
            middle: Window::default(),
        })
    }

    fn buffered(&self) -> Option<&[u8]> {
        let pos = self.pos;
        self.head
            .after(pos)
            .or_else(|| self.tail.after(pos))
            .or_else(|| self.middle.after(pos))
    }
}

impl<F: Borrow<File>> Read for Windowed<F> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if self.pos >= self.len || out.is_empty() {
            return Ok(0);
        }
        if self.buffered().is_none() {
            if out.len() as u64 >= MIDDLE {
                let n = self.file.borrow().read_at(out, self.pos)?;
                self.pos += n as u64;
                return Ok(n);
            }
            self.middle = Window::read(self.file.borrow(), self.pos, MIDDLE.min(self.len - self.pos))?;
        }
        let Some(available) = self.buffered() else {
            return Ok(0);
        };
        let n = available.len().min(out.len());
        out[..n].copy_from_slice(&available[..n]);
        self.pos += n as u64;
        Ok(n)
    }
}

impl<F: Borrow<File>> Seek for Windowed<F> {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        let target = match to {
            SeekFrom::Start(offset) => Some(offset),
            SeekFrom::End(delta) => self.len.checked_add_signed(delta),
            SeekFrom::Current(delta) => self.pos.checked_add_signed(delta),
        };
        let target = target.ok_or_else(|| {
            io::Error::new(io::ErrorKind::InvalidInput, "seek before the start of the file")
        })?;
        self.pos = target;
        Ok(target)
    }

    fn stream_position(&mut self) -> io::Result<u64> {
        Ok(self.pos)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file_of(len: usize) -> (tempfile::TempDir, std::path::PathBuf, Vec<u8>) {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("f.bin");
        let bytes: Vec<u8> = (0..len).map(|i| (i * 7 % 251) as u8).collect();
        std::fs::write(&path, &bytes).expect("write");
        (dir, path, bytes)
    }

    /// Reads `len` bytes at `at` the way a tag reader would.
    fn read_at(reader: &mut Windowed, at: SeekFrom, len: usize) -> Vec<u8> {
        reader.seek(at).expect("seek");
        let mut out = vec![0; len];
        let mut filled = 0;
        while filled < len {
            match reader.read(&mut out[filled..]).expect("read") {
                0 => break,
                n => filled += n,
            }
        }
        out.truncate(filled);
        out
    }

    #[test]
    fn every_region_reads_as_the_file() {
        let (_dir, path, bytes) = file_of(300_000);
        let mut reader = Windowed::new(File::open(&path).expect("open")).expect("windows");
        let cases = [
            (0, 10),
            (65_530, 20),      // across the end of the head
            (150_000, 40_000), // the middle, larger than its window
            (150_000, 100),    // the middle, through its window
            (283_610, 30),     // across the start of the tail
            (299_990, 100),    // past the end: short
        ];
        for (at, len) in cases {
            let got = read_at(&mut reader, SeekFrom::Start(at), len);
            let end = (at as usize + len).min(bytes.len());
            assert_eq!(got, bytes[at as usize..end], "at {at}, {len} bytes");
        }
        let got = read_at(&mut reader, SeekFrom::End(-4), 10);
        assert_eq!(got, bytes[bytes.len() - 4..]);
        assert!(reader.seek(SeekFrom::Current(-400_000)).is_err());
    }

    #[test]
    fn small_files_are_one_window() {
        let (_dir, path, bytes) = file_of(1_000);
        let mut reader = Windowed::new(File::open(&path).expect("open")).expect("windows");
        assert_eq!(read_at(&mut reader, SeekFrom::Start(0), 5_000), bytes);
        assert!(read_at(&mut reader, SeekFrom::Start(2_000), 5).is_empty());
    }
}
