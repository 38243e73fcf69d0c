//! The gateway's own settings, read from the same layers as the shared ones
//! (defaults < TOML file < `TONEARM_*` environment).

use std::{path::PathBuf, time::Duration};

use common::settings::{KnownSettings, SettingsError, extract, lenient, origins, positive_millis};
use serde::{Deserialize, Serialize};

use crate::forwarded::TrustedProxies;

/// Longest allowed `account_cache_ms`: a disabled or demoted account keeps
/// its access at most this long on other gateway instances.
const MAX_ACCOUNT_CACHE_MS: u64 = 5_000;

/// The raw gateway settings; field names are the setting names.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct RawGatewaySettings {
    #[serde(deserialize_with = "lenient::parse")]
    pub allow_anonymous: bool,
    pub admin_password: String,
    pub web_dir: String,
    pub public_origins: String,
    pub trusted_proxies: String,
    /// Replaced by `trusted_proxies`; still read so that an old
    /// configuration stops the gateway instead of silently changing who
    /// the client is.
    pub trust_forwarded_for: String,
    pub gateway_ops_host: String,
    #[serde(deserialize_with = "lenient::parse")]
    pub gateway_ops_port: u16,
    #[serde(deserialize_with = "lenient::parse")]
    pub account_cache_ms: u64,
    #[serde(deserialize_with = "lenient::parse")]
    pub session_ttl_secs: u64,
    #[serde(deserialize_with = "lenient::parse")]
    pub gateway_timeout_ms: u64,
    #[serde(deserialize_with = "lenient::parse")]
    pub gateway_connect_timeout_ms: u64,
    #[serde(deserialize_with = "lenient::parse")]
    pub upstream_cooldown_ms: u64,
    #[serde(deserialize_with = "lenient::parse")]
    pub gateway_max_body_bytes: u64,
    #[serde(deserialize_with = "lenient::parse")]
    pub login_max_attempts_per_account: u64,
    #[serde(deserialize_with = "lenient::parse")]
    pub login_max_attempts_per_address: u64,
    #[serde(deserialize_with = "lenient::parse")]
    pub login_window_secs: u64,
    #[serde(deserialize_with = "lenient::parse")]
    pub client_request_timeout_ms: u64,
    #[serde(deserialize_with = "lenient::parse")]
    pub socket_session_check_secs: u64,
    /// Seals Subsonic app passwords; empty: no token authentication.
    pub secret_key: String,
}

impl Default for RawGatewaySettings {
    fn default() -> Self {
        Self {
            allow_anonymous: false,
            admin_password: String::new(),
            web_dir: "web/dist".into(),
            public_origins: String::new(),
            trusted_proxies: String::new(),
            trust_forwarded_for: String::new(),
            gateway_ops_host: "127.0.0.1".into(),
            gateway_ops_port: 0,
            account_cache_ms: 2_000,
            session_ttl_secs: 7 * 24 * 3600,
            gateway_timeout_ms: 30_000,
            gateway_connect_timeout_ms: 2_000,
            upstream_cooldown_ms: 10_000,
            gateway_max_body_bytes: 1024 * 1024,
            login_max_attempts_per_account: 5,
            login_max_attempts_per_address: 30,
            login_window_secs: 900,
            client_request_timeout_ms: 5_000,
            socket_session_check_secs: 30,
            secret_key: String::new(),
        }
    }
}

/// Validated gateway settings.
#[derive(Debug, Clone)]
pub struct GatewaySettings {
    /// Lets people without a session list and play (role `anonymous`).
    pub allow_anonymous: bool,
    /// Shared secret sent to every service as `x-tonearm-internal-token`
    /// (`TONEARM_INTERNAL_TOKEN`, read by the shared settings and required:
    /// [`GatewaySettings::load`] refuses to go without it).
    pub internal_token: String,
    /// Password of the first `admin` account; generated when empty.
    pub admin_password: String,
    /// Folder of the built web UI.
    pub web_dir: PathBuf,
    /// Origins (`https://music.example.org`) allowed on state-changing
    /// requests besides the gateway's own.
    pub public_origins: Vec<String>,
    /// Proxies whose `X-Forwarded-For` and `X-Forwarded-Proto` are believed.
    pub trusted_proxies: TrustedProxies,
    /// Where `/metrics` and the detailed `/readyz` are served (loopback by
    /// default; port 0 picks a free one, logged at start).
    pub ops_host: String,
    pub ops_port: u16,
    /// How long an account's role and state read from PostgreSQL are
    /// reused for proxied requests and socket checks (admin actions always
    /// read them afresh).
    pub account_cache: Duration,
    pub session_ttl: Duration,
    /// Time allowed for an upstream's answer headers on routes that have one
    /// (catalog, events API); stream and socket routes have none.
    pub request_timeout: Duration,
    pub connect_timeout: Duration,
    /// How long an instance that failed is skipped.
    pub upstream_cooldown: Duration,
    pub max_body_bytes: u64,
    pub login_max_per_account: u64,
    pub login_max_per_address: u64,
    pub login_window: Duration,
    /// Time a client has to send its whole request head; slower ones
    /// (slow-header attacks) get 408 and are disconnected.
    pub client_request_timeout: Duration,
    /// How often an open socket re-checks that its session still exists.
    pub socket_session_check: Duration,
    /// `TONEARM_SECRET_KEY`: seals the app passwords of Subsonic token
    /// authentication; empty turns that authentication off.
    pub secret_key: String,
}

impl GatewaySettings {
    /// Reads and validates the gateway settings from all layers.
    pub fn load(shared: &common::Settings) -> Result<Self, SettingsError> {
        let mut settings = Self::try_from(extract::<RawGatewaySettings>()?)?;
        settings.internal_token = shared.required_internal_token()?;
        Ok(settings)
    }
}

fn positive(key: &str, value: u64) -> Result<u64, SettingsError> {
    if value == 0 {
        return Err(SettingsError::new(key, "expected a number above 0"));
    }
    Ok(value)
}

impl TryFrom<RawGatewaySettings> for GatewaySettings {
    type Error = SettingsError;

    fn try_from(raw: RawGatewaySettings) -> Result<Self, Self::Error> {
        if !raw.admin_password.is_empty() && raw.admin_password.chars().count() < 8 {
            return Err(SettingsError::new(
                "admin_password",
                "expected at least 8 characters (or leave it empty to generate one)",
            ));
        }
        if !raw.trust_forwarded_for.trim().is_empty() {
            return Err(SettingsError::new(
                "trust_forwarded_for",
                "replaced by TONEARM_TRUSTED_PROXIES (the addresses of the proxies in front of the gateway)",
            ));
        }
        if !raw.secret_key.is_empty() && raw.secret_key.chars().count() < 16 {
            return Err(SettingsError::new(
                "secret_key",
                "expected at least 16 characters (or leave it empty: no Subsonic token authentication)",
            ));
        }
        if raw.account_cache_ms > MAX_ACCOUNT_CACHE_MS {
            return Err(SettingsError::new(
                "account_cache_ms",
                format!("expected at most {MAX_ACCOUNT_CACHE_MS}"),
            ));
        }
        Ok(Self {
            allow_anonymous: raw.allow_anonymous,
            internal_token: String::new(),
            admin_password: raw.admin_password,
            web_dir: PathBuf::from(common::settings::non_empty("web_dir", raw.web_dir)?),
            public_origins: origins("public_origins", &raw.public_origins)?,
            trusted_proxies: TrustedProxies::parse(&raw.trusted_proxies)
                .map_err(|reason| SettingsError::new("trusted_proxies", reason))?,
            ops_host: common::settings::non_empty("gateway_ops_host", raw.gateway_ops_host)?,
            ops_port: raw.gateway_ops_port,
            account_cache: Duration::from_millis(raw.account_cache_ms),
            session_ttl: Duration::from_secs(positive("session_ttl_secs", raw.session_ttl_secs)?),
            request_timeout: positive_millis("gateway_timeout_ms", raw.gateway_timeout_ms)?,
            connect_timeout: positive_millis("gateway_connect_timeout_ms", raw.gateway_connect_timeout_ms)?,
            upstream_cooldown: positive_millis("upstream_cooldown_ms", raw.upstream_cooldown_ms)?,
            max_body_bytes: positive("gateway_max_body_bytes", raw.gateway_max_body_bytes)?,
            login_max_per_account: positive(
                "login_max_attempts_per_account",
                raw.login_max_attempts_per_account,
            )?,
            login_max_per_address: positive(
                "login_max_attempts_per_address",
                raw.login_max_attempts_per_address,
            )?,
            login_window: Duration::from_secs(positive("login_window_secs", raw.login_window_secs)?),
            client_request_timeout: positive_millis(
                "client_request_timeout_ms",
                raw.client_request_timeout_ms,
            )?,
            socket_session_check: Duration::from_secs(positive(
                "socket_session_check_secs",
                raw.socket_session_check_secs,
            )?),
            secret_key: raw.secret_key,
        })
    }
}

/// For `--check-config`: validates the gateway's own settings (the
/// internal token it needs included) and names them.
pub fn check_config(shared: &common::Settings) -> Result<KnownSettings, SettingsError> {
    GatewaySettings::load(shared)?;
    Ok(KnownSettings::of::<RawGatewaySettings>())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_anonymous_is_off() {
        let settings = GatewaySettings::try_from(RawGatewaySettings::default()).expect("valid");
        assert!(!settings.allow_anonymous);
        assert_eq!(settings.web_dir, PathBuf::from("web/dist"));
        // Metrics and readiness details are for this machine unless set otherwise.
        assert_eq!(settings.ops_host, "127.0.0.1");
        assert_eq!(settings.trusted_proxies, TrustedProxies::default());
    }

    #[test]
    fn a_bad_origin_names_the_setting() {
        let raw = RawGatewaySettings {
            public_origins: "music.example.org".into(),
            ..RawGatewaySettings::default()
        };
        let error = GatewaySettings::try_from(raw).expect_err("no scheme");
        assert_eq!(error.name, "TONEARM_PUBLIC_ORIGINS");
    }

    #[test]
    fn the_old_forwarded_for_switch_and_bad_proxies_are_refused() {
        let old = RawGatewaySettings {
            trust_forwarded_for: "true".into(),
            ..RawGatewaySettings::default()
        };
        let error = GatewaySettings::try_from(old).expect_err("replaced");
        assert_eq!(error.name, "TONEARM_TRUST_FORWARDED_FOR");
        let bad = RawGatewaySettings {
            trusted_proxies: "10.0.0.1, proxy".into(),
            ..RawGatewaySettings::default()
        };
        let error = GatewaySettings::try_from(bad).expect_err("not an address");
        assert_eq!(error.name, "TONEARM_TRUSTED_PROXIES");
    }

    #[test]
    fn a_short_admin_password_is_refused() {
        let raw = RawGatewaySettings {
            admin_password: "short".into(),
            ..RawGatewaySettings::default()
        };
        let error = GatewaySettings::try_from(raw).expect_err("too short");
        assert_eq!(error.name, "TONEARM_ADMIN_PASSWORD");
    }
}
