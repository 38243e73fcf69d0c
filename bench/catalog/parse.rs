//! Tag reading alone (no database), to split a scan's time between lofty
//! and storage.

use std::{path::Path, time::Instant};

use catalog_service::sources::local::{reader, walk};
use rayon::prelude::*;

/// Files per second read by the scanner's own walk and tag reader, page
/// cache warm (a first pass warms it: an earlier cold scan may have
/// emptied it).
pub fn rate(library: &Path) -> anyhow::Result<f64> {
    timed_pass(library)?;
    timed_pass(library)
}

fn timed_pass(library: &Path) -> anyhow::Result<f64> {
    let seen = std::sync::atomic::AtomicU64::new(0);
    let started = Instant::now();
    let roots = common::confine::Roots::new(&[library.to_path_buf()]);
    let walked = walk::walk(&[library.to_path_buf()], &roots, &seen);
    let failed = walked
        .files
        .par_iter()
        .filter(|file| reader::read(file, &roots).is_err())
        .count();
    anyhow::ensure!(failed == 0, "{failed} files could not be read");
    Ok(walked.files.len() as f64 / started.elapsed().as_secs_f64())
}
