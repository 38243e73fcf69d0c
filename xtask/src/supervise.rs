//! `cargo xtask up` keeps the services running: a service that dies is
//! started again after a delay that doubles while it keeps dying soon after
//! each start, and every death and restart is said on the terminal.

use std::{
    collections::HashMap,
    sync::atomic::{AtomicBool, Ordering},
    time::Duration,
};

use crate::{
    paths, process,
    system::{Crash, System},
};

/// The first restart waits this long; each crash soon after doubles it.
const FIRST_DELAY: Duration = Duration::from_secs(1);
const MAX_DELAY: Duration = Duration::from_secs(30);
/// A service that ran this long before dying starts over at the first delay.
const STABLE_AFTER: Duration = Duration::from_secs(60);

/// The delay before restarting a service that crashed: doubling while it
/// keeps crashing soon after each start, as a production supervisor does.
#[derive(Default)]
struct Backoff(HashMap<(usize, usize), Duration>);

impl Backoff {
    /// `replica` tells apart the same service in several systems.
    fn next(&mut self, replica: usize, crash: &Crash) -> Duration {
        let key = (replica, crash.index);
        let delay = match self.0.get(&key) {
            Some(last) if crash.uptime < STABLE_AFTER => (*last * 2).min(MAX_DELAY),
            _ => FIRST_DELAY,
        };
        self.0.insert(key, delay);
        delay
    }
}

/// Watches the services of every system (one per replica) until Ctrl-C:
/// restarts one that died (saying so), or with `restart` false stops at the
/// first death.
pub fn supervise(systems: &mut [&mut System], restart: bool, interrupted: &AtomicBool) {
    let mut backoff = Backoff::default();
    while !interrupted.load(Ordering::SeqCst) {
        let crashed = systems
            .iter_mut()
            .enumerate()
            .find_map(|(replica, system)| system.first_exited().map(|crash| (replica, crash)));
        let Some((replica, crash)) = crashed else {
            std::thread::sleep(Duration::from_millis(200));
            continue;
        };
        if !restart {
            eprintln!(
                "xtask: {}; stopping the rest (see {})",
                crash.what,
                paths::logs().display()
            );
            return;
        }
        let delay = backoff.next(replica, &crash);
        eprintln!(
            "xtask: {} after running {:.0} s; restarting it in {} s (see {})",
            crash.what,
            crash.uptime.as_secs_f64(),
            delay.as_secs(),
            crash.log.display()
        );
        if process::wait_for(delay, || interrupted.load(Ordering::SeqCst)) {
            return;
        }
        match systems[replica].restart(crash.index) {
            Ok(()) => eprintln!("xtask: restarted {}", crash.name),
            Err(error) => {
                eprintln!("xtask: cannot restart {}: {error}; stopping the rest", crash.name);
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::{Backoff, MAX_DELAY};
    use crate::system::Crash;

    fn crash(index: usize, uptime_secs: u64) -> Crash {
        Crash {
            index,
            name: "stats-consumer".into(),
            what: "stats-consumer exited (signal: 9)".into(),
            uptime: Duration::from_secs(uptime_secs),
            log: "stats-consumer.log".into(),
        }
    }

    #[test]
    fn restarts_wait_longer_while_a_service_keeps_crashing_and_start_over_once_it_ran_a_while() {
        let mut backoff = Backoff::default();
        let delays: Vec<u64> = (0..7).map(|_| backoff.next(0, &crash(3, 2)).as_secs()).collect();
        assert_eq!(delays, [1, 2, 4, 8, 16, 30, 30]);
        assert_eq!(
            backoff.next(0, &crash(3, 600)),
            Duration::from_secs(1),
            "it ran ten minutes"
        );
        assert_eq!(
            backoff.next(0, &crash(1, 2)),
            Duration::from_secs(1),
            "each service has its own"
        );
        assert!(backoff.next(0, &crash(3, 2)) < MAX_DELAY);
    }
}
