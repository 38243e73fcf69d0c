//! Settings of the stats consumer beyond the shared ones.

use std::time::Duration;

use common::settings::{
    KnownSettings, RawPresenceSettings, SettingsError, extract, lenient, non_empty, positive_millis,
};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
struct RawStatsSettings {
    stats_group: String,
    #[serde(deserialize_with = "lenient::parse")]
    stats_batch_max: usize,
    #[serde(deserialize_with = "lenient::parse")]
    stats_batch_wait_ms: u64,
    #[serde(deserialize_with = "lenient::parse")]
    stats_session_ttl_secs: u64,
    #[serde(deserialize_with = "lenient::parse")]
    stats_trending_ttl_secs: u64,
    #[serde(deserialize_with = "lenient::parse")]
    stats_sweep_interval_ms: u64,
    #[serde(deserialize_with = "lenient::parse")]
    stats_kafka_commit: bool,
    #[serde(deserialize_with = "lenient::parse")]
    stats_stall_secs: u64,
    #[serde(deserialize_with = "lenient::parse")]
    stats_ranked_songs: u64,
}

impl Default for RawStatsSettings {
    fn default() -> Self {
        Self {
            stats_group: "tonearm-stats".into(),
            stats_batch_max: 2000,
            stats_batch_wait_ms: 20,
            stats_session_ttl_secs: 86_400,
            stats_trending_ttl_secs: 7_200,
            stats_sweep_interval_ms: 5_000,
            stats_kafka_commit: true,
            stats_stall_secs: 10,
            stats_ranked_songs: 10_000,
        }
    }
}

/// Validated settings of the stats consumer.
#[derive(Debug, Clone)]
pub struct StatsSettings {
    /// The Kafka consumer group.
    pub group: String,
    /// Most events applied in one script call.
    pub batch_max: usize,
    /// How long a batch waits to fill once it has one event.
    pub batch_wait: Duration,
    pub session_ttl_secs: u64,
    pub trending_ttl_secs: u64,
    /// Sessions without an event for this long leave the online and
    /// listener sets (shared with events-service).
    pub presence_timeout: Duration,
    pub sweep_interval: Duration,
    /// Also commit offsets to the Kafka group (only so that operators see
    /// the lag; Redis holds the offsets that count). Tests turn it off to
    /// act out commits lost in a crash.
    pub kafka_commit: bool,
    /// A partition behind its log end whose stored offset has not moved for
    /// this long is stalled: the watchdog warns, reports not ready and
    /// recovers (`TONEARM_STATS_STALL_SECS`, default 10).
    pub stall: Duration,
    /// Songs kept in the most played and recently played sets
    /// (`TONEARM_STATS_RANKED_SONGS`, default 10,000): what Subsonic apps'
    /// "most played" and "recently played" albums are made of.
    pub ranked_songs: u64,
}

impl StatsSettings {
    pub fn load() -> Result<Self, SettingsError> {
        Self::validate(extract::<RawStatsSettings>()?, &extract::<RawPresenceSettings>()?)
    }

    fn validate(raw: RawStatsSettings, presence: &RawPresenceSettings) -> Result<Self, SettingsError> {
        if raw.stats_batch_max == 0 {
            return Err(SettingsError::new("stats_batch_max", "expected at least 1"));
        }
        if raw.stats_stall_secs == 0 {
            return Err(SettingsError::new(
                "stats_stall_secs",
                "expected a number of seconds above 0",
            ));
        }
        if raw.stats_ranked_songs == 0 {
            return Err(SettingsError::new("stats_ranked_songs", "expected at least 1"));
        }
        if raw.stats_session_ttl_secs == 0 || raw.stats_trending_ttl_secs == 0 {
            return Err(SettingsError::new(
                if raw.stats_session_ttl_secs == 0 {
                    "stats_session_ttl_secs"
                } else {
                    "stats_trending_ttl_secs"
                },
                "expected a number of seconds above 0",
            ));
        }
        Ok(Self {
            group: non_empty("stats_group", raw.stats_group)?,
            batch_max: raw.stats_batch_max,
            batch_wait: positive_millis("stats_batch_wait_ms", raw.stats_batch_wait_ms)?,
            session_ttl_secs: raw.stats_session_ttl_secs,
            trending_ttl_secs: raw.stats_trending_ttl_secs,
            presence_timeout: presence.presence_timeout()?,
            sweep_interval: positive_millis("stats_sweep_interval_ms", raw.stats_sweep_interval_ms)?,
            kafka_commit: raw.stats_kafka_commit,
            stall: Duration::from_secs(raw.stats_stall_secs),
            ranked_songs: raw.stats_ranked_songs,
        })
    }
}

/// For `--check-config`: validates the stats consumer's own settings and
/// names them.
pub fn check_config(_: &common::Settings) -> Result<KnownSettings, SettingsError> {
    StatsSettings::load()?;
    Ok(KnownSettings::of::<RawStatsSettings>().and::<RawPresenceSettings>())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_validate_and_zero_batches_are_refused() {
        assert!(
            StatsSettings::validate(RawStatsSettings::default(), &RawPresenceSettings::default()).is_ok()
        );
        let raw = RawStatsSettings {
            stats_batch_max: 0,
            ..RawStatsSettings::default()
        };
        assert_eq!(
            StatsSettings::validate(raw, &RawPresenceSettings::default())
                .expect_err("refused")
                .name,
            "TONEARM_STATS_BATCH_MAX"
        );
        let raw = RawStatsSettings {
            stats_stall_secs: 0,
            ..RawStatsSettings::default()
        };
        assert_eq!(
            StatsSettings::validate(raw, &RawPresenceSettings::default())
                .expect_err("refused")
                .name,
            "TONEARM_STATS_STALL_SECS"
        );
        let raw = RawStatsSettings {
            stats_ranked_songs: 0,
            ..RawStatsSettings::default()
        };
        assert_eq!(
            StatsSettings::validate(raw, &RawPresenceSettings::default())
                .expect_err("refused")
                .name,
            "TONEARM_STATS_RANKED_SONGS"
        );
    }
}
