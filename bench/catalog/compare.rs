//! Tonearm beside Polaris on one library: interleaved rounds, then the
//! medians and the ratio of their first scans.

use crate::{
    Args, polaris,
    rounds::{self, described},
    scale, verdict,
};

/// A library and what Tonearm's first scan of it should reach.
pub struct Library<'a> {
    pub dir: &'a std::path::Path,
    pub files: usize,
    /// Polaris's stored first-scan figures on 20,000 files (lowest, highest).
    pub stored: (f64, f64),
    /// The speed over Polaris's a first scan should reach.
    pub target: f64,
}

impl Library<'_> {
    /// Interleaved rounds of Tonearm and (with `--polaris`) Polaris, then
    /// the medians side by side.
    pub async fn compare(&self, args: &Args) -> anyhow::Result<()> {
        let admin = scale::pool("public").await?;
        let mut tonearm = Vec::new();
        let mut peer = Vec::new();
        for round in 0..args.rounds {
            let last = round + 1 == args.rounds;
            // Who goes first alternates, so a change of load weighs on both.
            if round % 2 == 1
                && let Some(binary) = &args.polaris
            {
                peer.push(self.polaris(binary, round)?);
            }
            tonearm
                .push(rounds::tonearm(self.dir, self.files, &admin, (round, last, args.first_only)).await?);
            if round % 2 == 0
                && let Some(binary) = &args.polaris
            {
                peer.push(self.polaris(binary, round)?);
            }
        }
        self.summary(&tonearm, &peer);
        Ok(())
    }

    fn polaris(
        &self,
        binary: &std::path::Path,
        round: usize,
    ) -> anyhow::Result<(polaris::Figure, polaris::Figure)> {
        let (first, rescan) = polaris::first_and_rescan(binary, self.dir)?;
        println!(
            "  round {}: Polaris first scan {:.2} s (CPU {:.2} s), rescan {:.2} s (CPU {:.2} s)",
            round + 1,
            first.secs,
            first.cpu,
            rescan.secs,
            rescan.cpu
        );
        Ok((first, rescan))
    }

    fn summary(&self, tonearm: &[rounds::Round], peer: &[(polaris::Figure, polaris::Figure)]) {
        let median = |pick: &dyn Fn(&rounds::Round) -> Option<rounds::Figure>| {
            let figures: Vec<rounds::Figure> = tonearm.iter().filter_map(pick).collect();
            rounds::Figure {
                secs: rounds::median(figures.iter().map(|f| f.secs).collect()),
                service_cpu: rounds::median(figures.iter().map(|f| f.service_cpu).collect()),
                database_cpu: rounds::median(figures.iter().map(|f| f.database_cpu).collect()),
            }
        };
        let first = median(&|round| Some(round.first));
        let used = median(&|round| round.later.map(|later| later.used));
        let unchanged = median(&|round| round.later.map(|later| later.unchanged));
        let (polaris_first, polaris_rescan, source) = if peer.is_empty() {
            let scale = self.files as f64 / polaris::STORED_FILES;
            let middle = (self.stored.0 + self.stored.1) / 2.0 * scale;
            (
                middle,
                polaris::STORED_RESCAN_SECS * scale,
                "a stored reference, not this run's",
            )
        } else {
            (
                rounds::median(peer.iter().map(|(first, _)| first.secs).collect()),
                rounds::median(peer.iter().map(|(_, rescan)| rescan.secs).collect()),
                "this run's, median",
            )
        };
        let speed = polaris_first / first.secs;
        println!("  medians of {} rounds:", tonearm.len());
        println!(
            "    first scan into an empty schema: Tonearm {} | Polaris {polaris_first:.2} s ({source}) \
             => {speed:.2}x Polaris (target {:.0}x: {})",
            described(first),
            self.target,
            verdict(speed >= self.target)
        );
        if peer.is_empty() {
            println!(
                "    (stored Polaris first scans on 20,000 files: {:.2}-{:.2} s; pass --polaris BIN to run it)",
                self.stored.0, self.stored.1
            );
        }
        if tonearm.iter().all(|round| round.later.is_none()) {
            return;
        }
        println!(
            "    full scan into a used schema (every file changed): Tonearm {}",
            described(used)
        );
        println!(
            "    rescan, unchanged: Tonearm {} | Polaris {polaris_rescan:.2} s ({source}) (target 0.5 s: {})",
            described(unchanged),
            verdict(unchanged.secs < 0.5)
        );
    }
}
