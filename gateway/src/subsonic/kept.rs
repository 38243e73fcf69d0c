//! The gateway's copies of catalog lists that the catalog keeps per
//! library generation (the artist index): each is sent again with its
//! `ETag`, and while the catalog answers 304 the copy is used instead of
//! reading and parsing the whole list again.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use actix_web::web::Bytes;
use reqwest::header::HeaderValue;
use serde_json::Value;

/// Most lists kept (one per catalog path and query).
const MAX_ENTRIES: usize = 64;

/// Catalog lists with the `ETag` they came with, and answers written from
/// them (the same for every caller), by the `ETag` they were written from.
#[derive(Debug, Default)]
pub struct KeptLists {
    entries: Mutex<HashMap<String, (HeaderValue, Arc<Value>)>>,
    written: Mutex<HashMap<String, (HeaderValue, Written)>>,
}

/// An answer's content type and text.
pub type Written = (&'static str, Bytes);

impl KeptLists {
    /// The copy of `target` and its `ETag`, if kept.
    pub fn get(&self, target: &str) -> Option<(HeaderValue, Arc<Value>)> {
        self.entries.lock().ok()?.get(target).cloned()
    }

    /// Keeps `value` of `target`, replacing any older copy; when full, an
    /// arbitrary other copy makes room.
    pub fn keep(&self, target: &str, etag: HeaderValue, value: Arc<Value>) {
        let Ok(mut entries) = self.entries.lock() else {
            return;
        };
        if entries.len() >= MAX_ENTRIES && !entries.contains_key(target) {
            let other = entries.keys().next().cloned();
            if let Some(other) = other {
                entries.remove(&other);
            }
        }
        entries.insert(target.to_owned(), (etag, value));
    }
}

impl KeptLists {
    /// The answer `key` written from the list of `etag`, if kept.
    pub fn written(&self, key: &str, etag: &HeaderValue) -> Option<Written> {
        let written = self.written.lock().ok()?;
        written
            .get(key)
            .filter(|(from, _)| from == etag)
            .map(|(_, answer)| answer.clone())
    }

    /// Keeps the answer `key` written from the list of `etag` (one per
    /// key: a newer list replaces it).
    pub fn keep_written(&self, key: &str, etag: HeaderValue, answer: Written) {
        if let Ok(mut written) = self.written.lock() {
            if written.len() >= MAX_ENTRIES && !written.contains_key(key) {
                written.clear();
            }
            written.insert(key.to_owned(), (etag, answer));
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_copy_is_replaced_and_the_number_kept_is_bounded() {
        let kept = KeptLists::default();
        kept.keep("a", HeaderValue::from_static("\"1\""), Arc::new(json!([1])));
        kept.keep("a", HeaderValue::from_static("\"2\""), Arc::new(json!([2])));
        assert_eq!(
            kept.get("a").map(|(etag, _)| etag),
            Some(HeaderValue::from_static("\"2\""))
        );
        for n in 0..MAX_ENTRIES * 2 {
            kept.keep(
                &n.to_string(),
                HeaderValue::from_static("\"x\""),
                Arc::new(json!(n)),
            );
        }
        assert!(kept.entries.lock().expect("lock").len() <= MAX_ENTRIES);
    }
}
