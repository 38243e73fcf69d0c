//! Audio and pictures made by ffmpeg for tests.

use std::{ffi::OsStr, path::Path, process::Command};

/// Writes `output` from ffmpeg's generated source `source` (`sine=…`,
/// `color=…`), with `args` (codec, tags, length) before the output;
/// panics when ffmpeg fails.
pub fn generate<S: AsRef<OsStr>>(source: &str, args: &[S], output: &Path) {
    let status = Command::new("ffmpeg")
        .args([
            "-hide_banner",
            "-loglevel",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            source,
        ])
        .args(args)
        .arg(output)
        .status()
        .expect("ffmpeg runs");
    assert!(status.success(), "ffmpeg made {}", output.display());
}

/// `-metadata key=value` arguments for each of `tags`.
pub fn tags(tags: &[(&str, &str)]) -> Vec<String> {
    tags.iter()
        .flat_map(|(key, value)| ["-metadata".to_owned(), format!("{key}={value}")])
        .collect()
}
