//! Logging and tracing, set up once per process.

use tracing_subscriber::{EnvFilter, fmt, prelude::*};

use crate::settings::{LogFormat, Settings};

/// Installs the global `tracing` subscriber: pretty for a terminal, JSON
/// lines when `TONEARM_LOG_FORMAT=json` (or when standard error is not a
/// terminal and the format is `auto`). `RUST_LOG` overrides `TONEARM_LOG`.
///
/// Calling it twice is harmless: the second call keeps the first subscriber.
pub fn init(settings: &Settings) {
    let filter = EnvFilter::try_from_default_env()
        .or_else(|_| EnvFilter::try_new(&settings.log_filter))
        .unwrap_or_else(|_| EnvFilter::new("info"));
    let registry = tracing_subscriber::registry().with(filter);
    let result = match settings.log_format {
        LogFormat::Json => registry
            .with(fmt::layer().json().with_current_span(true).with_span_list(false))
            .try_init(),
        LogFormat::Pretty => registry.with(fmt::layer().with_target(false)).try_init(),
    };
    // Already initialised (tests start several services in one process).
    drop(result);
}

/// For tests: logs only when `TEST_LOG` is set, so test output stays quiet.
/// `TEST_LOG=1` (or `true`) logs at `info`; any other value is a filter,
/// as `RUST_LOG` takes (`TEST_LOG=debug`, `TEST_LOG=gateway=trace`).
pub fn init_for_tests() {
    let Some(value) = std::env::var_os("TEST_LOG") else {
        return;
    };
    let _ = tracing_subscriber::registry()
        .with(EnvFilter::new(test_log_filter(&value.to_string_lossy())))
        .with(fmt::layer().with_test_writer())
        .try_init();
}

/// The filter a `TEST_LOG` value stands for.
fn test_log_filter(value: &str) -> &str {
    match value.trim() {
        "" | "1" | "true" | "yes" | "on" => "info",
        filter => filter,
    }
}

#[cfg(test)]
mod tests {
    use super::test_log_filter;

    #[test]
    fn test_log_1_means_info_and_anything_else_is_a_filter() {
        assert_eq!(test_log_filter("1"), "info");
        assert_eq!(test_log_filter("true"), "info");
        assert_eq!(test_log_filter("debug"), "debug");
        assert_eq!(test_log_filter("gateway=trace"), "gateway=trace");
    }
}
