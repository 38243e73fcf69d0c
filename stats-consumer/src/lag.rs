//! How far the fold is behind the log, per partition, and whether it has
//! stopped moving: the stored offsets (Redis) against the log ends (the
//! broker's high watermarks), sampled over time.

use std::{
    collections::{BTreeMap, VecDeque},
    time::{Duration, Instant},
};

/// Log ends kept per partition to date the oldest unfolded record (one per
/// sample; an hour at one sample a second).
const HISTORY: usize = 3600;

/// What the tracker remembers of one partition.
#[derive(Debug)]
struct Track {
    stored: i64,
    end: i64,
    /// When the stored offset last moved, or the partition was caught up.
    progressed: Instant,
    /// Log ends above the stored offset, oldest first, with when they were
    /// first seen: the first one dates the oldest record not folded yet.
    ends: VecDeque<(Instant, i64)>,
}

/// One partition's lag at a sample.
#[derive(Debug, Clone, PartialEq)]
pub struct PartitionLag {
    pub partition: i32,
    /// Records in the log that the fold has not covered.
    pub events: i64,
    /// How long the oldest of them has waited (to the sampling interval).
    pub seconds: f64,
    /// How long the partition has been behind without advancing, once that
    /// reached the stall threshold.
    pub stalled_for: Option<Duration>,
    /// The stored offset lies past the log's end (topic recreated, or the
    /// broker lost data): new records would be skipped as already folded.
    pub ahead_of_log: bool,
    pub stored: i64,
    pub end: i64,
}

impl PartitionLag {
    pub fn stalled(&self) -> bool {
        self.stalled_for.is_some()
    }
}

/// Lag and stalls of every partition over successive samples.
#[derive(Debug)]
pub struct LagTracker {
    stall: Duration,
    partitions: BTreeMap<i32, Track>,
}

impl LagTracker {
    /// A partition behind and not advancing for `stall` counts as stalled.
    pub fn new(stall: Duration) -> Self {
        Self {
            stall,
            partitions: BTreeMap::new(),
        }
    }

    /// Takes one sample: the stored offsets, and the log ends when the
    /// broker answered (`None`: the last known ends stand).
    pub fn observe(
        &mut self,
        now: Instant,
        stored: &BTreeMap<i32, i64>,
        ends: Option<&BTreeMap<i32, i64>>,
    ) -> Vec<PartitionLag> {
        match ends {
            Some(ends) => self.update_ends(now, stored, ends),
            // The broker is away: each log reaches at least as far as what
            // was folded from it (so a stale end is never taken for a log
            // that went back).
            None => {
                for (partition, track) in &mut self.partitions {
                    track.end = track.end.max(stored.get(partition).copied().unwrap_or(0));
                }
            }
        }
        let stall = self.stall;
        self.partitions
            .iter_mut()
            .map(|(&partition, track)| {
                let stored = stored.get(&partition).copied().unwrap_or(0);
                track.sample(partition, now, stored, stall)
            })
            .collect()
    }

    fn update_ends(&mut self, now: Instant, stored: &BTreeMap<i32, i64>, ends: &BTreeMap<i32, i64>) {
        for (&partition, &end) in ends {
            let track = self.partitions.entry(partition).or_insert_with(|| Track {
                stored: stored.get(&partition).copied().unwrap_or(0),
                end,
                progressed: now,
                ends: VecDeque::new(),
            });
            track.end = end;
        }
    }
}

impl Track {
    fn sample(&mut self, partition: i32, now: Instant, stored: i64, stall: Duration) -> PartitionLag {
        let events = (self.end - stored).max(0);
        let ahead_of_log = stored > self.end;
        if stored != self.stored || (events == 0 && !ahead_of_log) {
            self.progressed = now;
        }
        self.stored = stored;
        while self.ends.front().is_some_and(|(_, end)| *end <= stored) {
            self.ends.pop_front();
        }
        if events > 0 && self.ends.back().is_none_or(|(_, end)| *end < self.end) {
            if self.ends.len() == HISTORY {
                self.ends.pop_front();
            }
            self.ends.push_back((now, self.end));
        }
        let seconds = match self.ends.front() {
            Some((since, _)) if events > 0 => now.duration_since(*since).as_secs_f64(),
            _ => 0.0,
        };
        let still = now.duration_since(self.progressed);
        let stuck = events > 0 || ahead_of_log;
        PartitionLag {
            partition,
            events,
            seconds,
            stalled_for: (stuck && still >= stall).then_some(still),
            ahead_of_log,
            stored,
            end: self.end,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(pairs: &[(i32, i64)]) -> BTreeMap<i32, i64> {
        pairs.iter().copied().collect()
    }

    #[test]
    fn a_partition_that_keeps_advancing_is_never_stalled() {
        let mut tracker = LagTracker::new(Duration::from_secs(10));
        let start = Instant::now();
        for second in 0..60u64 {
            let now = start + Duration::from_secs(second);
            let stored = second as i64 * 10;
            let lag = tracker.observe(now, &map(&[(0, stored)]), Some(&map(&[(0, stored + 25)])));
            assert_eq!(lag[0].events, 25);
            assert!(!lag[0].stalled(), "at {second} s: {lag:?}");
            assert!(
                lag[0].seconds <= 3.0,
                "the oldest unfolded record is recent: {lag:?}"
            );
        }
    }

    #[test]
    fn behind_and_still_for_the_threshold_is_a_stall_with_its_age() {
        let mut tracker = LagTracker::new(Duration::from_secs(10));
        let start = Instant::now();
        let at = |second: u64| start + Duration::from_secs(second);
        tracker.observe(at(0), &map(&[(0, 100)]), Some(&map(&[(0, 100)])));
        let lag = tracker.observe(at(1), &map(&[(0, 100)]), Some(&map(&[(0, 760)])));
        assert_eq!((lag[0].events, lag[0].stalled()), (660, false));
        let lag = tracker.observe(at(9), &map(&[(0, 100)]), None);
        assert!(!lag[0].stalled(), "8 s is under the threshold");
        let lag = tracker.observe(at(12), &map(&[(0, 100)]), None);
        assert_eq!(
            lag[0].stalled_for,
            Some(Duration::from_secs(12)),
            "caught up last at 0 s"
        );
        assert_eq!(lag[0].seconds, 11.0, "the records waiting arrived at 1 s");
        let lag = tracker.observe(at(13), &map(&[(0, 400)]), Some(&map(&[(0, 760)])));
        assert!(!lag[0].stalled(), "moving again");
        assert_eq!(lag[0].events, 360);
        let lag = tracker.observe(at(14), &map(&[(0, 760)]), Some(&map(&[(0, 760)])));
        assert_eq!((lag[0].events, lag[0].seconds), (0, 0.0));
    }

    #[test]
    fn caught_up_and_quiet_is_not_a_stall() {
        let mut tracker = LagTracker::new(Duration::from_secs(1));
        let start = Instant::now();
        for second in 0..5 {
            let lag = tracker.observe(
                start + Duration::from_secs(second),
                &map(&[(0, 5), (1, 7)]),
                Some(&map(&[(0, 5), (1, 7)])),
            );
            assert!(lag.iter().all(|lag| !lag.stalled() && lag.events == 0));
        }
    }

    #[test]
    fn a_log_end_last_seen_before_the_broker_went_away_is_not_taken_for_a_shorter_log() {
        let mut tracker = LagTracker::new(Duration::from_secs(2));
        let start = Instant::now();
        tracker.observe(start, &map(&[(0, 0)]), Some(&map(&[(0, 0)])));
        // Folded to 10 while the broker was last asked at 0, then it went away.
        let lag = tracker.observe(start + Duration::from_secs(5), &map(&[(0, 10)]), None);
        assert!(!lag[0].ahead_of_log && !lag[0].stalled(), "{lag:?}");
        assert_eq!((lag[0].events, lag[0].end), (0, 10));
    }

    #[test]
    fn a_stored_offset_past_the_log_end_that_stays_there_is_a_stall() {
        let mut tracker = LagTracker::new(Duration::from_secs(2));
        let start = Instant::now();
        tracker.observe(start, &map(&[(0, 500)]), Some(&map(&[(0, 3)])));
        let lag = tracker.observe(
            start + Duration::from_secs(3),
            &map(&[(0, 500)]),
            Some(&map(&[(0, 3)])),
        );
        assert!(lag[0].ahead_of_log && lag[0].stalled(), "{lag:?}");
        assert_eq!(lag[0].events, 0);
    }
}
