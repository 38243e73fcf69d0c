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
pub fn init_for_tests() {
    if std::env::var_os("TEST_LOG").is_none() {
        return;
    }
    let _ = tracing_subscriber::registry()
        .with(EnvFilter::new(
            std::env::var("TEST_LOG").unwrap_or_else(|_| "info".into()),
        ))
        .with(fmt::layer().with_test_writer())
        .try_init();
}
