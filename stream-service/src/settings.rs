//! Settings of the stream service beyond the shared ones.

use std::{path::PathBuf, time::Duration};

use common::{
    fetch::{FetchPolicy, RawFetchSettings},
    settings::{KnownSettings, SettingsError, extract, lenient},
};
use serde::{Deserialize, Serialize};

/// The raw settings as read from defaults, the file and the environment.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct RawStreamSettings {
    /// `TONEARM_MUSIC_DIRS`: comma-separated absolute folders; the catalog
    /// scans them and the stream service serves files inside them only.
    pub music_dirs: String,
    /// `TONEARM_STREAM_CHUNK_KIB`: size of one read from disk.
    #[serde(deserialize_with = "lenient::parse")]
    pub stream_chunk_kib: usize,
    /// `TONEARM_TRANSCODE_MAX`: transcodes running at once; more get 503.
    #[serde(deserialize_with = "lenient::parse")]
    pub transcode_max: usize,
    /// `TONEARM_FFMPEG`: the ffmpeg program.
    pub ffmpeg: String,
    /// `TONEARM_ORIGIN_TIMEOUT_MS`: longest wait for a remote origin's
    /// headers, and longest pause while its body streams.
    #[serde(deserialize_with = "lenient::parse")]
    pub origin_timeout_ms: u64,
}

impl Default for RawStreamSettings {
    fn default() -> Self {
        Self {
            music_dirs: String::new(),
            stream_chunk_kib: 128,
            transcode_max: 4,
            ffmpeg: "ffmpeg".into(),
            origin_timeout_ms: 10_000,
        }
    }
}

/// Validated stream settings.
#[derive(Debug, Clone)]
pub struct StreamSettings {
    /// Folders whose files may be served; anything resolving elsewhere is refused.
    pub music_dirs: Vec<PathBuf>,
    /// Bytes read from disk per chunk (bounded memory per stream).
    pub chunk_size: usize,
    /// Concurrent ffmpeg processes allowed.
    pub transcode_max: usize,
    /// The ffmpeg program to run.
    pub ffmpeg: PathBuf,
    /// How long an origin may keep us waiting (headers or between chunks).
    pub origin_timeout: Duration,
    /// `TONEARM_FETCH_ALLOW_HOSTS` (shared with the catalog): origins that
    /// may resolve to private addresses.
    pub fetch_allow_hosts: Vec<String>,
}

impl StreamSettings {
    /// Reads and validates the stream settings from all layers.
    pub fn load() -> Result<Self, SettingsError> {
        let mut settings = Self::try_from(extract::<RawStreamSettings>()?)?;
        settings.fetch_allow_hosts = extract::<RawFetchSettings>()?.allow_hosts()?;
        Ok(settings)
    }

    /// The fetch policy for remote origins.
    pub fn fetch_policy(&self) -> FetchPolicy {
        let mut policy = FetchPolicy::new(self.fetch_allow_hosts.clone());
        policy.timeout = self.origin_timeout;
        policy.connect_timeout = self.origin_timeout.min(policy.connect_timeout);
        policy
    }
}

impl TryFrom<RawStreamSettings> for StreamSettings {
    type Error = SettingsError;

    fn try_from(raw: RawStreamSettings) -> Result<Self, Self::Error> {
        if !(4..=4096).contains(&raw.stream_chunk_kib) {
            return Err(SettingsError::new(
                "stream_chunk_kib",
                "expected a number from 4 to 4096",
            ));
        }
        if !(1..=256).contains(&raw.transcode_max) {
            return Err(SettingsError::new(
                "transcode_max",
                "expected a number from 1 to 256",
            ));
        }
        Ok(Self {
            music_dirs: common::settings::music_dirs("music_dirs", &raw.music_dirs)?,
            chunk_size: raw.stream_chunk_kib * 1024,
            transcode_max: raw.transcode_max,
            ffmpeg: PathBuf::from(common::settings::non_empty("ffmpeg", raw.ffmpeg)?),
            origin_timeout: common::settings::positive_millis("origin_timeout_ms", raw.origin_timeout_ms)?,
            fetch_allow_hosts: Vec::new(),
        })
    }
}

/// For `--check-config`: validates the stream service's own settings and
/// names them.
pub fn check_config(_: &common::Settings) -> Result<KnownSettings, SettingsError> {
    StreamSettings::load()?;
    Ok(KnownSettings::of::<RawStreamSettings>().and::<RawFetchSettings>())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid() {
        let settings = StreamSettings::try_from(RawStreamSettings::default()).expect("valid");
        assert!(settings.music_dirs.is_empty());
        assert_eq!(settings.chunk_size, 128 * 1024);
    }

    #[test]
    fn a_zero_transcode_limit_is_refused() {
        let raw = RawStreamSettings {
            transcode_max: 0,
            ..RawStreamSettings::default()
        };
        let error = StreamSettings::try_from(raw).expect_err("zero refused");
        assert_eq!(error.name, "TONEARM_TRANSCODE_MAX");
    }
}
