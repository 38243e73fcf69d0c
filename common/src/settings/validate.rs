//! Checks that turn raw setting values into typed ones, each naming its
//! setting and the expected form when the value is wrong.

use std::{path::PathBuf, time::Duration};

use reqwest::Url;

use super::{LogFormat, SettingsError};

pub(super) fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|name| name.trim().to_owned())
        .unwrap_or_else(|_| "tonearm".into())
}

pub fn non_empty(key: &str, value: String) -> Result<String, SettingsError> {
    if value.trim().is_empty() {
        return Err(SettingsError::new(key, "expected a non-empty value"));
    }
    Ok(value)
}

pub fn positive_millis(key: &str, millis: u64) -> Result<Duration, SettingsError> {
    if millis == 0 {
        return Err(SettingsError::new(
            key,
            "expected a number of milliseconds above 0",
        ));
    }
    Ok(Duration::from_millis(millis))
}

/// `TONEARM_MUSIC_DIRS` (read by the catalog, which scans the folders, and
/// the stream service, which serves files inside them only): comma-separated
/// absolute folders. Empty entries are skipped, so an empty value means no
/// music folders.
pub fn music_dirs(key: &str, value: &str) -> Result<Vec<PathBuf>, SettingsError> {
    value
        .split(',')
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .map(|part| {
            let path = PathBuf::from(part);
            if path.is_absolute() {
                Ok(path)
            } else {
                Err(SettingsError::new(
                    key,
                    format!("expected comma-separated absolute folder paths, got {part:?}"),
                ))
            }
        })
        .collect()
}

pub(super) fn url_with_scheme(key: &str, value: String, schemes: &[&str]) -> Result<String, SettingsError> {
    let expected = || format!("expected a {}:// URL, got {value:?}", schemes.join("://, "));
    let url = Url::parse(&value).map_err(|_| SettingsError::new(key, expected()))?;
    if !schemes.contains(&url.scheme()) {
        return Err(SettingsError::new(key, expected()));
    }
    Ok(value)
}

/// A comma-separated list of `http(s)://host:port` base URLs.
pub fn http_urls(key: &str, value: &str) -> Result<Vec<Url>, SettingsError> {
    let urls: Vec<Url> = value
        .split(',')
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .map(|part| match Url::parse(part) {
            Ok(url) if matches!(url.scheme(), "http" | "https") && url.has_host() => Ok(url),
            _ => Err(SettingsError::new(
                key,
                format!("expected comma-separated http:// or https:// URLs, got {part:?}"),
            )),
        })
        .collect::<Result<_, _>>()?;
    if urls.is_empty() {
        return Err(SettingsError::new(key, "expected at least one http:// URL"));
    }
    Ok(urls)
}

/// A comma-separated list of WebSocket base URLs, `ws(s)://host:port`
/// (`http(s)://` is taken as `ws(s)://`).
pub fn socket_urls(key: &str, value: &str) -> Result<Vec<Url>, SettingsError> {
    let expected = |part: &str| {
        SettingsError::new(
            key,
            format!("expected comma-separated ws:// or wss:// URLs, got {part:?}"),
        )
    };
    let urls: Vec<Url> = value
        .split(',')
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .map(|part| {
            let mut url = Url::parse(part).map_err(|_| expected(part))?;
            let scheme = match url.scheme() {
                "ws" | "http" => "ws",
                "wss" | "https" => "wss",
                _ => return Err(expected(part)),
            };
            if !url.has_host() || url.set_scheme(scheme).is_err() {
                return Err(expected(part));
            }
            Ok(url)
        })
        .collect::<Result<_, _>>()?;
    if urls.is_empty() {
        return Err(SettingsError::new(key, "expected at least one ws:// URL"));
    }
    Ok(urls)
}

pub(super) fn sql_identifier(key: &str, value: String) -> Result<String, SettingsError> {
    let valid = !value.is_empty()
        && value.len() <= 63
        && value.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
        && value
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !valid {
        return Err(SettingsError::new(
            key,
            format!("expected a lower-case SQL identifier (a-z, 0-9, _), got {value:?}"),
        ));
    }
    Ok(value)
}

pub(super) fn broker_list(key: &str, value: String) -> Result<String, SettingsError> {
    let valid = value.split(',').all(|broker| {
        broker
            .trim()
            .rsplit_once(':')
            .is_some_and(|(host, port)| !host.is_empty() && port.parse::<u16>().is_ok())
    });
    if !valid {
        return Err(SettingsError::new(
            key,
            format!("expected comma-separated host:port pairs, got {value:?}"),
        ));
    }
    Ok(value)
}

pub(super) fn topic_name(key: &str, value: String) -> Result<String, SettingsError> {
    let valid = !value.is_empty()
        && value.len() <= 249
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if !valid {
        return Err(SettingsError::new(
            key,
            format!("expected a Kafka topic name (a-z, A-Z, 0-9, '.', '_', '-'), got {value:?}"),
        ));
    }
    Ok(value)
}

pub(super) fn log_format(value: &str) -> Result<LogFormat, SettingsError> {
    match value {
        "json" => Ok(LogFormat::Json),
        "pretty" => Ok(LogFormat::Pretty),
        "auto" | "" => Ok(if std::io::IsTerminal::is_terminal(&std::io::stderr()) {
            LogFormat::Pretty
        } else {
            LogFormat::Json
        }),
        other => Err(SettingsError::new(
            "log_format",
            format!("expected one of auto, pretty, json, got {other:?}"),
        )),
    }
}

/// Comma-separated web origins (`https://music.example.org`), each kept as
/// `scheme://host[:port]` so they compare equal to a browser's `Origin`.
pub fn origins(key: &str, value: &str) -> Result<Vec<String>, SettingsError> {
    value
        .split(',')
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .map(|part| match Url::parse(part) {
            Ok(url) if matches!(url.scheme(), "http" | "https") && url.has_host() => {
                Ok(url.origin().ascii_serialization())
            }
            _ => Err(SettingsError::new(
                key,
                format!("expected comma-separated origins such as https://music.example.org, got {part:?}"),
            )),
        })
        .collect()
}
