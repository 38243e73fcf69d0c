//! The on-disk spool: events wait here, in order, while the broker is
//! away. One append-only file of length-prefixed records, synced to disk
//! once per batch of appends; a small position file says how far it has
//! been sent, so a restart resumes there. When everything is sent the file
//! is truncated. The directory is private (0700) and links planted in it
//! are never followed (see `private_files`).

use std::{fs::File, io::Read as _, os::unix::fs::FileExt as _, path::Path};

use anyhow::Context as _;

use super::private_files::{open_no_follow, private_dir, rewrite};

/// One spooled Kafka record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub key: String,
    pub request_id: Option<String>,
    pub payload: Vec<u8>,
}

impl Record {
    fn encode(&self, out: &mut Vec<u8>) {
        let rid = self.request_id.as_deref().unwrap_or("");
        let body_len = 4 + self.key.len() + 4 + rid.len() + self.payload.len();
        out.extend_from_slice(&(body_len as u32).to_le_bytes());
        for part in [self.key.as_bytes(), rid.as_bytes()] {
            out.extend_from_slice(&(part.len() as u32).to_le_bytes());
            out.extend_from_slice(part);
        }
        out.extend_from_slice(&self.payload);
    }

    fn decode(body: &[u8]) -> Option<Self> {
        let (key, rest) = take_part(body)?;
        let (rid, payload) = take_part(rest)?;
        Some(Self {
            key: String::from_utf8(key.to_vec()).ok()?,
            request_id: (!rid.is_empty()).then(|| String::from_utf8_lossy(rid).into_owned()),
            payload: payload.to_vec(),
        })
    }
}

fn take_part(bytes: &[u8]) -> Option<(&[u8], &[u8])> {
    let len = u32::from_le_bytes(bytes.get(..4)?.try_into().ok()?) as usize;
    let part = bytes.get(4..4 + len)?;
    Some((part, &bytes[4 + len..]))
}

/// The spool of one events-service instance.
pub struct Spool {
    file: File,
    /// `events.spool.pos`, kept open so that it is never reopened by path.
    position: File,
    /// Bytes written (the end of the last complete record).
    end: u64,
    /// Start of the next record to send.
    read: u64,
    max_bytes: u64,
    pending: Vec<u8>,
}

impl Spool {
    /// Opens (or creates) the spool in `dir`, dropping a torn last record.
    pub fn open(dir: &Path, max_bytes: u64) -> anyhow::Result<Self> {
        private_dir(dir)?;
        let mut file = open_no_follow(&dir.join("events.spool"))?;
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes).context("reading the spool")?;
        let end = complete_prefix(&bytes);
        file.set_len(end).context("dropping a torn spool record")?;
        let mut position = open_no_follow(&dir.join("events.spool.pos"))?;
        let mut text = String::new();
        let read = position
            .read_to_string(&mut text)
            .ok()
            .and_then(|_| text.trim().parse::<u64>().ok())
            .filter(|read| *read <= end)
            .unwrap_or(0);
        Ok(Self {
            file,
            position,
            end,
            read,
            max_bytes,
            pending: Vec::new(),
        })
    }

    /// True when nothing waits to be sent.
    pub fn is_empty(&self) -> bool {
        self.read == self.end && self.pending.is_empty()
    }

    /// Bytes of records not yet sent, on disk or about to be.
    pub fn bytes(&self) -> u64 {
        self.end - self.read + self.pending.len() as u64
    }

    /// True once the unsent records reach the size limit: the service then
    /// refuses new events. Records already accepted are still appended, so
    /// the file may pass the limit by what the in-memory queue held.
    pub fn is_full(&self) -> bool {
        self.bytes() >= self.max_bytes
    }

    /// Queues a record for the next [`Spool::sync`].
    pub fn append(&mut self, record: &Record) {
        record.encode(&mut self.pending);
    }

    /// Puts `records` before everything still unsent (records the producer
    /// gave back at shutdown), rewriting the file.
    pub fn prepend(&mut self, records: &[Record]) -> anyhow::Result<()> {
        if records.is_empty() {
            return Ok(());
        }
        self.sync()?;
        let mut rest = vec![0u8; (self.end - self.read) as usize];
        self.file
            .read_exact_at(&mut rest, self.read)
            .context("reading the spool")?;
        let mut bytes = Vec::new();
        for record in records {
            record.encode(&mut bytes);
        }
        bytes.extend_from_slice(&rest);
        self.file.set_len(0).context("rewriting the spool")?;
        self.file.write_all_at(&bytes, 0).context("rewriting the spool")?;
        self.file.sync_data().context("syncing the spool")?;
        self.end = bytes.len() as u64;
        self.read = 0;
        rewrite(&self.position, b"0").context("saving the spool position")
    }

    /// Writes the queued records and syncs them to disk (one fsync per batch).
    pub fn sync(&mut self) -> anyhow::Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        self.file
            .write_all_at(&self.pending, self.end)
            .context("appending to the spool")?;
        self.file.sync_data().context("syncing the spool")?;
        self.end += self.pending.len() as u64;
        self.pending.clear();
        Ok(())
    }

    /// The next record to send, without consuming it.
    pub fn peek(&self) -> anyhow::Result<Option<(Record, u64)>> {
        if self.read >= self.end {
            return Ok(None);
        }
        let mut header = [0u8; 4];
        self.file
            .read_exact_at(&mut header, self.read)
            .context("reading the spool")?;
        let len = u32::from_le_bytes(header) as u64;
        let mut body = vec![0u8; len as usize];
        self.file
            .read_exact_at(&mut body, self.read + 4)
            .context("reading the spool")?;
        let record = Record::decode(&body).context("a spool record is corrupt")?;
        Ok(Some((record, self.read + 4 + len)))
    }

    /// Marks everything before `next` as handed to the producer.
    pub fn advance(&mut self, next: u64) {
        self.read = next.min(self.end);
    }

    /// Records that everything handed over was acknowledged by the broker;
    /// truncates the file when it is all sent.
    pub fn checkpoint(&mut self) -> anyhow::Result<()> {
        if self.read == self.end && self.pending.is_empty() && self.end > 0 {
            self.file.set_len(0).context("truncating the sent spool")?;
            self.file.sync_data().context("syncing the spool")?;
            self.end = 0;
            self.read = 0;
        }
        rewrite(&self.position, self.read.to_string().as_bytes()).context("saving the spool position")
    }
}

/// The length of the longest prefix made of complete records.
fn complete_prefix(bytes: &[u8]) -> u64 {
    let mut at = 0usize;
    while let Some(header) = bytes.get(at..at + 4) {
        let len = u32::from_le_bytes([header[0], header[1], header[2], header[3]]) as usize;
        if at + 4 + len > bytes.len() {
            break;
        }
        at += 4 + len;
    }
    at as u64
}

#[cfg(test)]
mod tests {
    use std::{fs::OpenOptions, io::Write as _, os::unix::fs::PermissionsExt as _, path::PathBuf};

    use super::*;

    fn record(n: u32) -> Record {
        Record {
            key: format!("s{n}"),
            request_id: n.is_multiple_of(2).then(|| format!("r{n}")),
            payload: format!("{{\"n\":{n}}}").into_bytes(),
        }
    }

    fn temp_dir() -> PathBuf {
        std::env::temp_dir().join(format!("tonearm-spool-test-{}", uuid::Uuid::new_v4()))
    }

    #[test]
    fn records_come_back_in_order_across_a_reopen() {
        let dir = temp_dir();
        let mut spool = Spool::open(&dir, 1 << 20).expect("open");
        for n in 0..3 {
            spool.append(&record(n));
        }
        spool.sync().expect("sync");
        let (first, next) = spool.peek().expect("read").expect("a record");
        assert_eq!(first, record(0));
        spool.advance(next);
        spool.checkpoint().expect("checkpoint");
        drop(spool);
        let mut spool = Spool::open(&dir, 1 << 20).expect("reopen");
        let mut seen = Vec::new();
        while let Some((record, next)) = spool.peek().expect("read") {
            seen.push(record);
            spool.advance(next);
        }
        assert_eq!(seen, vec![record(1), record(2)]);
        spool.checkpoint().expect("checkpoint");
        assert!(spool.is_empty());
        assert_eq!(spool.end, 0, "a fully sent spool is truncated");
        std::fs::remove_dir_all(dir).expect("cleanup");
    }

    #[test]
    fn a_torn_last_record_is_dropped_and_a_full_spool_refuses() {
        let dir = temp_dir();
        let mut spool = Spool::open(&dir, 64).expect("open");
        spool.append(&record(1));
        spool.sync().expect("sync");
        let intact = spool.end;
        OpenOptions::new()
            .append(true)
            .open(dir.join("events.spool"))
            .expect("open raw")
            .write_all(&[200, 0, 0, 0, 1, 2])
            .expect("torn write");
        let mut spool = Spool::open(&dir, 64).expect("reopen");
        assert_eq!(spool.end, intact);
        let mut appended = 0;
        while !spool.is_full() {
            spool.append(&record(7));
            appended += 1;
        }
        assert!(appended > 1, "a few records fit before the limit");
        std::fs::remove_dir_all(dir).expect("cleanup");
    }

    /// Another account plants `events.spool` (or the position file) as a
    /// link to a file of the service's user: the spool must not write
    /// events into that file, nor serve its bytes as events.
    #[test]
    fn a_link_planted_at_a_spool_file_is_not_followed() {
        for name in ["events.spool", "events.spool.pos"] {
            let dir = temp_dir();
            std::fs::create_dir_all(&dir).expect("dir");
            let victim = dir.with_extension("victim");
            std::fs::write(&victim, b"precious").expect("victim");
            std::os::unix::fs::symlink(&victim, dir.join(name)).expect("planted link");
            let error = Spool::open(&dir, 1 << 20).err().expect("refused");
            assert!(error.to_string().contains("symbolic link"), "{name}: {error}");
            assert_eq!(
                std::fs::read(&victim).expect("victim"),
                b"precious",
                "{name}: the link's target is untouched"
            );
            std::fs::remove_dir_all(&dir).expect("cleanup");
            std::fs::remove_file(victim).expect("cleanup");
        }
    }

    #[test]
    fn the_spool_directory_is_private() {
        let dir = temp_dir();
        let spool = Spool::open(&dir, 1 << 20).expect("open");
        drop(spool);
        let mode = std::fs::metadata(&dir).expect("meta").permissions().mode() & 0o777;
        assert_eq!(mode, 0o700, "only the service's user can enter the spool");
        std::fs::remove_dir_all(dir).expect("cleanup");
    }
}
