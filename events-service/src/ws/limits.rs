//! Per-socket message rate limit over one-second windows.

use std::time::{Duration, Instant};

/// What to do with a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Allow,
    /// Over the limit: refuse it (the client is told once per window).
    Refuse {
        tell: bool,
    },
    /// Far over the limit: close the socket.
    Close,
}

pub struct RateLimit {
    per_second: u32,
    window_start: Instant,
    count: u32,
}

impl RateLimit {
    pub fn new(per_second: u32) -> Self {
        Self {
            per_second,
            window_start: Instant::now(),
            count: 0,
        }
    }

    pub fn check(&mut self, now: Instant) -> Verdict {
        if now.duration_since(self.window_start) >= Duration::from_secs(1) {
            self.window_start = now;
            self.count = 0;
        }
        self.count = self.count.saturating_add(1);
        if self.count <= self.per_second {
            Verdict::Allow
        } else if self.count > self.per_second.saturating_mul(4) {
            Verdict::Close
        } else {
            Verdict::Refuse {
                tell: self.count == self.per_second + 1,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bursts_are_refused_then_closed_and_the_window_resets() {
        let mut limit = RateLimit::new(2);
        let start = Instant::now();
        assert_eq!(limit.check(start), Verdict::Allow);
        assert_eq!(limit.check(start), Verdict::Allow);
        assert_eq!(limit.check(start), Verdict::Refuse { tell: true });
        assert_eq!(limit.check(start), Verdict::Refuse { tell: false });
        for _ in 0..4 {
            limit.check(start);
        }
        assert_eq!(limit.check(start), Verdict::Close);
        assert_eq!(limit.check(start + Duration::from_secs(1)), Verdict::Allow);
    }
}
