//! The catalog's own settings, read from the same layers as the shared ones.

use std::{path::PathBuf, time::Duration};

use common::{
    fetch::{FetchPolicy, RawFetchSettings},
    settings::{KnownSettings, SettingsError, extract, lenient},
};
use reqwest::Url;

use crate::covers::CoverSettings;
use serde::{Deserialize, Serialize};

/// Raw catalog settings (`TONEARM_*`), before validation.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct RawCatalogSettings {
    /// Comma-separated folders scanned for music.
    pub music_dirs: String,
    /// Scan the library when the service starts.
    #[serde(deserialize_with = "lenient::parse")]
    pub scan_on_start: bool,
    /// Watch the music folders for changes.
    #[serde(deserialize_with = "lenient::parse")]
    pub watch: bool,
    /// Quiet time before a burst of file-system changes is applied.
    #[serde(deserialize_with = "lenient::parse")]
    pub watch_debounce_ms: u64,
    /// Largest feed or playlist body read, in bytes.
    #[serde(deserialize_with = "lenient::parse")]
    pub fetch_max_bytes: u64,
    #[serde(deserialize_with = "lenient::parse")]
    pub fetch_timeout_ms: u64,
    /// How often Internet sources (feeds) are refreshed.
    #[serde(deserialize_with = "lenient::parse")]
    pub source_refresh_secs: u64,
    pub lastfm_api_key: String,
    pub lastfm_url: String,
    #[serde(deserialize_with = "lenient::parse")]
    pub lastfm_cache_ttl_secs: u64,
    /// Last.fm calls per second at most.
    #[serde(deserialize_with = "lenient::parse")]
    pub lastfm_rate_per_sec: u32,
    /// The catalog's own folder (`TONEARM_CATALOG_DATA_DIR`), created 0700;
    /// relative paths are taken from the working directory.
    pub catalog_data_dir: String,
    /// Folder for resized cover images; empty: `covers` in the data folder.
    pub cover_cache_dir: String,
    /// Most bytes of resized covers kept on disk; the least recently used
    /// go first.
    #[serde(deserialize_with = "lenient::parse")]
    pub cover_cache_max_bytes: u64,
    /// Covers decoded at once at most.
    #[serde(deserialize_with = "lenient::parse")]
    pub cover_decodes: u64,
    /// Longest a search statement may run before it is answered again
    /// without typo tolerance.
    #[serde(deserialize_with = "lenient::parse")]
    pub search_timeout_ms: u64,
}

impl Default for RawCatalogSettings {
    fn default() -> Self {
        Self {
            music_dirs: String::new(),
            scan_on_start: true,
            watch: true,
            watch_debounce_ms: 500,
            fetch_max_bytes: 10 * 1024 * 1024,
            fetch_timeout_ms: 15_000,
            source_refresh_secs: 3600,
            lastfm_api_key: String::new(),
            lastfm_url: "https://ws.audioscrobbler.com/2.0/".into(),
            lastfm_cache_ttl_secs: 7 * 24 * 3600,
            lastfm_rate_per_sec: 5,
            catalog_data_dir: ".tonearm/data/catalog".into(),
            cover_cache_dir: String::new(),
            cover_cache_max_bytes: 256 * 1024 * 1024,
            cover_decodes: 2,
            search_timeout_ms: 250,
        }
    }
}

/// Validated catalog settings.
#[derive(Debug, Clone)]
pub struct CatalogSettings {
    pub music_dirs: Vec<PathBuf>,
    pub scan_on_start: bool,
    pub watch: bool,
    pub watch_debounce: Duration,
    pub fetch: FetchPolicy,
    pub source_refresh: Duration,
    pub lastfm: Option<LastfmSettings>,
    pub lastfm_url: Url,
    pub lastfm_cache_ttl: Duration,
    pub lastfm_rate_per_sec: u32,
    pub data_dir: PathBuf,
    pub covers: CoverSettings,
    pub search_timeout: Duration,
}

/// Last.fm is on when a key is set.
#[derive(Debug, Clone)]
pub struct LastfmSettings {
    pub api_key: String,
}

impl CatalogSettings {
    /// Reads and validates the catalog settings from all layers.
    pub fn load() -> Result<Self, SettingsError> {
        let raw = extract::<RawCatalogSettings>()?;
        let fetch = extract::<RawFetchSettings>()?;
        Self::validate(raw, fetch)
    }

    pub fn validate(raw: RawCatalogSettings, fetch: RawFetchSettings) -> Result<Self, SettingsError> {
        let music_dirs = common::settings::music_dirs("music_dirs", &raw.music_dirs)?;
        let mut policy = FetchPolicy::new(fetch.allow_hosts()?);
        policy.max_bytes = raw.fetch_max_bytes;
        policy.timeout = common::settings::positive_millis("fetch_timeout_ms", raw.fetch_timeout_ms)?;
        let lastfm_url = common::settings::http_urls("lastfm_url", &raw.lastfm_url)?
            .into_iter()
            .next()
            .ok_or_else(|| SettingsError::new("lastfm_url", "expected an http(s) URL"))?;
        let key = raw.lastfm_api_key.trim().to_owned();
        let data_dir = PathBuf::from(raw.catalog_data_dir.trim());
        if data_dir.as_os_str().is_empty() {
            return Err(SettingsError::new("catalog_data_dir", "expected a folder path"));
        }
        Ok(Self {
            music_dirs,
            scan_on_start: raw.scan_on_start,
            watch: raw.watch,
            watch_debounce: Duration::from_millis(raw.watch_debounce_ms.max(10)),
            fetch: policy,
            source_refresh: Duration::from_secs(raw.source_refresh_secs.max(10)),
            lastfm: (!key.is_empty()).then_some(LastfmSettings { api_key: key }),
            lastfm_url,
            lastfm_cache_ttl: Duration::from_secs(raw.lastfm_cache_ttl_secs),
            lastfm_rate_per_sec: raw.lastfm_rate_per_sec.max(1),
            covers: CoverSettings {
                cache_dir: if raw.cover_cache_dir.trim().is_empty() {
                    data_dir.join("covers")
                } else {
                    PathBuf::from(raw.cover_cache_dir.trim())
                },
                cache_max_bytes: raw.cover_cache_max_bytes,
                max_decodes: usize::try_from(raw.cover_decodes.clamp(1, 64)).unwrap_or(1),
            },
            data_dir,
            search_timeout: common::settings::positive_millis("search_timeout_ms", raw.search_timeout_ms)?,
        })
    }
}

/// For `--check-config`: validates the catalog's own settings and names them.
pub fn check_config(_: &common::Settings) -> Result<KnownSettings, SettingsError> {
    CatalogSettings::load()?;
    Ok(KnownSettings::of::<RawCatalogSettings>().and::<RawFetchSettings>())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_lastfm_is_off_without_a_key() {
        let settings = CatalogSettings::validate(RawCatalogSettings::default(), RawFetchSettings::default())
            .expect("valid");
        assert!(settings.lastfm.is_none());
        assert!(settings.music_dirs.is_empty());
    }

    #[test]
    fn relative_music_dirs_are_refused_naming_the_setting() {
        let raw = RawCatalogSettings {
            music_dirs: "/music, relative/path".into(),
            ..RawCatalogSettings::default()
        };
        let error = CatalogSettings::validate(raw, RawFetchSettings::default()).expect_err("relative");
        assert_eq!(error.name, "TONEARM_MUSIC_DIRS");
    }
}
