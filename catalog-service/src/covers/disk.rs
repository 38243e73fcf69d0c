//! Resized covers kept on disk, in a folder of the catalog's own (created
//! 0700), bounded in bytes: the least recently used are removed first.
//!
//! Files are only ever created with `create_new` (which never follows a
//! link planted under that name) and read through [`Roots::open`] confined
//! to the folder, so a link planted in the folder serves nothing.

use std::{
    collections::{BTreeMap, HashMap},
    fs::{DirBuilder, OpenOptions, Permissions},
    io::{Read as _, Write as _},
    os::unix::fs::{DirBuilderExt as _, OpenOptionsExt as _, PermissionsExt as _},
    path::{Path, PathBuf},
    sync::{Arc, Mutex},
    time::SystemTime,
};

use anyhow::Context as _;
use common::confine::Roots;

/// The on-disk cover cache; cheap to clone.
#[derive(Clone)]
pub struct DiskCache {
    inner: Arc<Inner>,
}

struct Inner {
    dir: PathBuf,
    confine: Roots,
    max_bytes: u64,
    lru: Mutex<Lru>,
}

/// Which entries exist, their sizes and their order of use.
#[derive(Default)]
struct Lru {
    entries: HashMap<String, (u64, u64)>,
    by_use: BTreeMap<u64, String>,
    total: u64,
    clock: u64,
}

impl Lru {
    fn touch(&mut self, key: &str) {
        self.clock += 1;
        if let Some((_, used)) = self.entries.get_mut(key) {
            self.by_use.remove(used);
            *used = self.clock;
            self.by_use.insert(self.clock, key.to_owned());
        }
    }

    fn insert(&mut self, key: &str, bytes: u64) {
        self.remove(key);
        self.clock += 1;
        self.entries.insert(key.to_owned(), (bytes, self.clock));
        self.by_use.insert(self.clock, key.to_owned());
        self.total += bytes;
    }

    fn remove(&mut self, key: &str) {
        if let Some((bytes, used)) = self.entries.remove(key) {
            self.by_use.remove(&used);
            self.total -= bytes;
        }
    }

    /// Removes least recently used entries until `max` bytes are left;
    /// answers their keys.
    fn evict_to(&mut self, max: u64) -> Vec<String> {
        let mut evicted = Vec::new();
        while self.total > max {
            let Some((_, key)) = self.by_use.pop_first() else {
                break;
            };
            if let Some((bytes, _)) = self.entries.remove(&key) {
                self.total -= bytes;
            }
            evicted.push(key);
        }
        evicted
    }
}

impl DiskCache {
    /// Opens (creating it 0700) the cache folder `dir`, bounded to
    /// `max_bytes`; covers already there count as least recently used in
    /// the order they were written. Blocking.
    pub fn open(dir: &Path, max_bytes: u64) -> anyhow::Result<Self> {
        private_dir(dir)?;
        let confine = Roots::new(&[dir.to_owned()]);
        let cache = Self {
            inner: Arc::new(Inner {
                dir: dir.to_owned(),
                confine,
                max_bytes,
                lru: Mutex::new(Lru::default()),
            }),
        };
        cache.load()?;
        Ok(cache)
    }

    /// The bytes cached under `key`, if any. Blocking.
    pub fn get(&self, key: &str) -> Option<Vec<u8>> {
        let path = self.path(key);
        let read = self.inner.confine.open(&path).and_then(|(mut file, _)| {
            let mut bytes = Vec::new();
            file.read_to_end(&mut bytes)
                .map(|_| bytes)
                .map_err(|source| common::confine::ConfineError::Unreadable { path, source })
        });
        let mut lru = self.lock();
        match read {
            Ok(bytes) if lru.entries.contains_key(key) => {
                lru.touch(key);
                Some(bytes)
            }
            _ => {
                lru.remove(key);
                None
            }
        }
    }

    /// Keeps `bytes` under `key`, removing the least recently used covers
    /// beyond the bound. Blocking.
    pub fn put(&self, key: &str, bytes: &[u8]) -> anyhow::Result<()> {
        let size = bytes.len() as u64;
        if size > self.inner.max_bytes {
            return Ok(());
        }
        let partial = self
            .inner
            .dir
            .join(format!("{key}.{}.part", uuid::Uuid::new_v4().simple()));
        let written = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&partial)
            .and_then(|mut file| file.write_all(bytes))
            // Renamed into place, so a concurrent reader never sees half a file.
            .and_then(|()| std::fs::rename(&partial, self.path(key)));
        if let Err(error) = written {
            let _ = std::fs::remove_file(&partial);
            return Err(error).context("writing a cover to the cache");
        }
        let evicted = {
            let mut lru = self.lock();
            lru.insert(key, size);
            lru.evict_to(self.inner.max_bytes)
        };
        for key in evicted {
            // Removing a name never follows a link; a file already gone is fine.
            let _ = std::fs::remove_file(self.path(&key));
        }
        Ok(())
    }

    /// Bytes the cache holds now.
    pub fn total_bytes(&self) -> u64 {
        self.lock().total
    }

    fn path(&self, key: &str) -> PathBuf {
        self.inner.dir.join(format!("{key}.jpg"))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Lru> {
        // A panic while holding the lock leaves counts that are still
        // consistent enough for a cache; keep going.
        self.inner
            .lru
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Indexes the covers a previous run left, oldest first, and removes
    /// half-written files and anything that is not a regular file.
    fn load(&self) -> anyhow::Result<()> {
        let mut found: Vec<(SystemTime, String, u64)> = Vec::new();
        let entries = std::fs::read_dir(&self.inner.dir).context("listing the cover cache")?;
        for entry in entries.filter_map(Result::ok) {
            let path = entry.path();
            let Ok(meta) = entry.metadata() else { continue };
            let key = path
                .file_name()
                .and_then(|name| name.to_str())
                .and_then(|name| name.strip_suffix(".jpg"))
                .filter(|key| !key.contains('.'));
            match key {
                Some(key) if meta.is_file() => {
                    let modified = meta.modified().unwrap_or(SystemTime::UNIX_EPOCH);
                    found.push((modified, key.to_owned(), meta.len()));
                }
                _ => {
                    let _ = std::fs::remove_file(&path);
                }
            }
        }
        found.sort();
        let evicted = {
            let mut lru = self.lock();
            for (_, key, bytes) in &found {
                lru.insert(key, *bytes);
            }
            lru.evict_to(self.inner.max_bytes)
        };
        for key in evicted {
            let _ = std::fs::remove_file(self.path(&key));
        }
        Ok(())
    }
}

/// Creates `dir` (and missing parents) readable by this user only, and
/// refuses a `dir` that is a symbolic link or belongs to someone else
/// (its permissions cannot be set to 0700 then).
pub fn private_dir(dir: &Path) -> anyhow::Result<()> {
    DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .with_context(|| format!("creating {}", dir.display()))?;
    let meta = std::fs::symlink_metadata(dir).with_context(|| format!("reading {}", dir.display()))?;
    anyhow::ensure!(
        meta.is_dir(),
        "{} is a symbolic link or not a folder",
        dir.display()
    );
    std::fs::set_permissions(dir, Permissions::from_mode(0o700))
        .with_context(|| format!("making {} private (0700)", dir.display()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::symlink;

    use super::*;

    fn cache(max_bytes: u64) -> (tempfile::TempDir, DiskCache) {
        let dir = tempfile::tempdir().expect("temp dir");
        let cache = DiskCache::open(&dir.path().join("covers"), max_bytes).expect("opens");
        (dir, cache)
    }

    fn folder_bytes(dir: &Path) -> u64 {
        std::fs::read_dir(dir)
            .expect("listing")
            .map(|entry| entry.expect("entry").metadata().expect("meta").len())
            .sum()
    }

    #[test]
    fn the_cache_stays_within_its_bytes_evicting_the_least_recently_used() {
        let (dir, cache) = cache(300);
        for key in ["a", "b", "c"] {
            cache.put(key, &[0; 100]).expect("put");
        }
        assert!(cache.get("a").is_some(), "a is used again");
        cache.put("d", &[0; 100]).expect("put");
        assert!(cache.get("b").is_none(), "b was the least recently used");
        for key in ["a", "c", "d"] {
            assert!(cache.get(key).is_some(), "{key} stays");
        }
        assert_eq!(cache.total_bytes(), 300);
        assert!(folder_bytes(&dir.path().join("covers")) <= 300);
        cache.put("huge", &[0; 301]).expect("skipped");
        assert!(cache.get("huge").is_none());
    }

    #[test]
    fn the_folder_is_private_and_a_planted_link_serves_nothing() {
        let (dir, cache) = cache(1000);
        let covers = dir.path().join("covers");
        let mode = std::fs::metadata(&covers).expect("meta").permissions().mode();
        assert_eq!(mode & 0o777, 0o700);
        let secret = dir.path().join("secret");
        std::fs::write(&secret, "secret").expect("secret");
        cache.put("k", b"cover").expect("put");
        std::fs::remove_file(covers.join("k.jpg")).expect("remove");
        symlink(&secret, covers.join("k.jpg")).expect("plant");
        assert_eq!(cache.get("k"), None);
        assert_eq!(std::fs::read(&secret).expect("intact"), b"secret");
    }

    #[test]
    fn a_cache_folder_that_is_a_link_is_refused() {
        let dir = tempfile::tempdir().expect("temp dir");
        let elsewhere = dir.path().join("elsewhere");
        std::fs::create_dir(&elsewhere).expect("dir");
        symlink(&elsewhere, dir.path().join("covers")).expect("link");
        assert!(DiskCache::open(&dir.path().join("covers"), 1000).is_err());
    }

    #[test]
    fn covers_left_by_a_previous_run_count_towards_the_bound() {
        let (dir, cache) = cache(250);
        cache.put("a", &[0; 100]).expect("put");
        cache.put("b", &[0; 100]).expect("put");
        drop(cache);
        let again = DiskCache::open(&dir.path().join("covers"), 150).expect("opens");
        assert_eq!(again.total_bytes(), 100);
    }
}
