//! The catalog's recent answers, bounded: past `capacity` songs the oldest
//! entry goes, so made-up ids cannot grow it without limit.

use std::{
    collections::{HashMap, VecDeque},
    time::Instant,
};

pub struct AnswerCache {
    capacity: usize,
    /// Song -> (known, valid until).
    entries: HashMap<String, (bool, Instant)>,
    /// Songs in the order they were first added; each entry exactly once.
    order: VecDeque<String>,
}

impl AnswerCache {
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity: capacity.max(1),
            entries: HashMap::new(),
            order: VecDeque::new(),
        }
    }

    /// The answer for `song`, unless it is missing or stale.
    pub fn get(&self, song: &str, now: Instant) -> Option<bool> {
        self.entries
            .get(song)
            .and_then(|(known, until)| (*until > now).then_some(*known))
    }

    pub fn insert(&mut self, song: &str, known: bool, until: Instant) {
        if self.entries.insert(song.to_owned(), (known, until)).is_none() {
            self.order.push_back(song.to_owned());
        }
        while self.entries.len() > self.capacity {
            let Some(oldest) = self.order.pop_front() else {
                break;
            };
            self.entries.remove(&oldest);
        }
    }

    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.entries.len()
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn answers_expire_and_the_size_stays_bounded() {
        let now = Instant::now();
        let mut cache = AnswerCache::new(2);
        cache.insert("a", true, now + Duration::from_secs(60));
        cache.insert("b", false, now + Duration::from_secs(1));
        assert_eq!(cache.get("a", now), Some(true));
        assert_eq!(cache.get("b", now), Some(false));
        assert_eq!(cache.get("b", now + Duration::from_secs(2)), None, "stale");
        cache.insert("c", false, now + Duration::from_secs(60));
        assert_eq!(cache.len(), 2);
        assert_eq!(cache.get("a", now), None, "the oldest went");
        cache.insert("c", true, now + Duration::from_secs(60));
        assert_eq!(cache.len(), 2);
        assert_eq!(cache.get("c", now), Some(true), "replaced in place");
    }
}
