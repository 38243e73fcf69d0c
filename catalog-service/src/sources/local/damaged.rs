//! Files lofty refuses whole although their audio plays: FLAC files whose
//! metadata blocks lie about their size, ID3v2 tags of an unknown form.
//!
//! Some taggers write a picture or STREAMINFO block whose header gives the
//! wrong length; the blocks after it are then read from the wrong place and
//! lofty gives up on the whole file, although its audio frames are intact
//! (players find them by their sync code). Here the blocks are walked with
//! the sizes their own content gives, and lofty reads a mended copy of the
//! metadata (STREAMINFO and Vorbis comments; pictures left out) followed by
//! the file's audio, untouched. A file whose audio does not start with a
//! FLAC frame where the metadata ends is not mended: it has nothing to play.
//! An ID3v2 tag lofty cannot even skip is passed over by its header's size
//! ([`id3v2_end`]), the audio after it read on its own.

use std::{
    fs::File,
    io::{self, Read, Seek, SeekFrom},
    os::unix::fs::FileExt as _,
};

use super::{tags::TAG_ITEM_MAX_BYTES, windowed::Windowed};

const STREAMINFO: u8 = 0;
const VORBIS_COMMENT: u8 = 4;
const PICTURE: u8 = 6;
/// The length of STREAMINFO's content, fixed by the format.
const STREAMINFO_LEN: u64 = 34;
/// Metadata blocks walked at most (real files have a handful).
const MAX_BLOCKS: usize = 1024;

/// The metadata of a FLAC file, mended, and where its audio starts; `None`
/// when it cannot be mended or no audio frame follows it.
pub fn mend_flac(file: &File) -> Option<(Vec<u8>, u64)> {
    let len = file.metadata().ok()?.len();
    let mut pos = id3v2_end(file)?;
    if read_bytes(file, pos, 4)? != b"fLaC" {
        return None;
    }
    pos += 4;
    let mut head = b"fLaC".to_vec();
    let mut kept: Vec<(u8, Vec<u8>)> = Vec::new();
    for _ in 0..MAX_BLOCKS {
        let header = read_bytes(file, pos, 4)?;
        let (last, kind) = (header[0] & 0x80 != 0, header[0] & 0x7f);
        let declared = u64::from(u32::from_be_bytes([0, header[1], header[2], header[3]]));
        let content = pos + 4;
        let size = match kind {
            STREAMINFO => STREAMINFO_LEN,
            PICTURE => picture_len(file, content)?,
            VORBIS_COMMENT => comments_len(file, content, len)?,
            127 => return None,
            _ => declared,
        };
        if content + size > len {
            return None;
        }
        if matches!(kind, STREAMINFO | VORBIS_COMMENT) && size <= TAG_ITEM_MAX_BYTES as u64 {
            kept.push((kind, read_bytes(file, content, size as usize)?));
        }
        pos = content + size;
        if last {
            break;
        }
    }
    if kept.first().map(|(kind, _)| *kind) != Some(STREAMINFO) || !frame_at(file, pos) {
        return None;
    }
    let count = kept.len();
    for (index, (kind, content)) in kept.into_iter().enumerate() {
        let flag = if index + 1 == count { 0x80 } else { 0 };
        let size = (content.len() as u32).to_be_bytes();
        head.extend_from_slice(&[flag | kind, size[1], size[2], size[3]]);
        head.extend_from_slice(&content);
    }
    Some((head, pos))
}

/// Where an ID3v2 tag at the start of a file ends (0 without one).
pub fn id3v2_end(file: &File) -> Option<u64> {
    let header = read_bytes(file, 0, 10)?;
    if &header[..3] != b"ID3" {
        return Some(0);
    }
    let size = header[6..10]
        .iter()
        .fold(0u64, |size, byte| (size << 7) | u64::from(byte & 0x7f));
    let footer = if header[5] & 0x10 != 0 { 10 } else { 0 };
    Some(10 + size + footer)
}

/// A picture's length from its own fields.
fn picture_len(file: &File, at: u64) -> Option<u64> {
    let be = |pos: u64| -> Option<u64> {
        let bytes = read_bytes(file, pos, 4)?;
        Some(u64::from(u32::from_be_bytes([
            bytes[0], bytes[1], bytes[2], bytes[3],
        ])))
    };
    let mime = be(at + 4)?;
    let description = be(at + 8 + mime)?;
    let data = be(at + 12 + mime + description + 16)?;
    Some(32 + mime + description + data)
}

/// Vorbis comments' length from their own fields (little-endian lengths).
fn comments_len(file: &File, at: u64, file_len: u64) -> Option<u64> {
    let le = |pos: u64| -> Option<u64> {
        let bytes = read_bytes(file, pos, 4)?;
        Some(u64::from(u32::from_le_bytes([
            bytes[0], bytes[1], bytes[2], bytes[3],
        ])))
    };
    let mut pos = at + 4 + le(at)?;
    let count = le(pos)?;
    pos += 4;
    for _ in 0..count {
        pos += 4 + le(pos)?;
        if pos > file_len {
            return None;
        }
    }
    Some(pos - at)
}

/// Whether a FLAC frame header (sync code 0xFFF8 or 0xFFF9) starts at `pos`.
fn frame_at(file: &File, pos: u64) -> bool {
    read_bytes(file, pos, 2).is_some_and(|sync| sync[0] == 0xff && sync[1] & 0xfe == 0xf8)
}

fn read_bytes(file: &File, pos: u64, len: usize) -> Option<Vec<u8>> {
    let mut bytes = vec![0; len];
    file.read_exact_at(&mut bytes, pos).ok()?;
    Some(bytes)
}

/// `Read + Seek` over the mended metadata followed by the file's audio.
pub struct Mended {
    head: Vec<u8>,
    audio: Windowed,
    audio_start: u64,
    len: u64,
    pos: u64,
}

impl Mended {
    pub fn new(head: Vec<u8>, file: File, audio_start: u64) -> io::Result<Self> {
        let file_len = file.metadata()?.len();
        let len = head.len() as u64 + file_len.saturating_sub(audio_start);
        Ok(Self {
            head,
            audio: Windowed::new(file)?,
            audio_start,
            len,
            pos: 0,
        })
    }
}

impl Read for Mended {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let head_len = self.head.len() as u64;
        let n = if self.pos < head_len {
            let rest = &self.head[self.pos as usize..];
            let n = rest.len().min(out.len());
            out[..n].copy_from_slice(&rest[..n]);
            n
        } else {
            self.audio
                .seek(SeekFrom::Start(self.audio_start + self.pos - head_len))?;
            self.audio.read(out)?
        };
        self.pos += n as u64;
        Ok(n)
    }
}

impl Seek for Mended {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        let target = match to {
            SeekFrom::Start(offset) => Some(offset),
            SeekFrom::End(delta) => self.len.checked_add_signed(delta),
            SeekFrom::Current(delta) => self.pos.checked_add_signed(delta),
        };
        self.pos = target.ok_or_else(|| {
            io::Error::new(io::ErrorKind::InvalidInput, "seek before the start of the file")
        })?;
        Ok(self.pos)
    }
}
