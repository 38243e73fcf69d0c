#![allow(clippy::result_large_err)] // figment's test jail returns its own error type

use futures_util::future::BoxFuture;
use serde::{Deserialize, Serialize};

use super::*;
use crate::{
    health::{DependencyCheck, Readiness},
    metrics::Metrics,
    server::{HttpService, bind},
    settings::{RawSettings, extract, lenient},
};

/// A service's own raw settings, as each service declares them.
#[derive(Debug, Serialize, Deserialize)]
#[serde(default)]
struct RawOwn {
    #[serde(deserialize_with = "lenient::parse")]
    transcode_max: u32,
}

impl Default for RawOwn {
    fn default() -> Self {
        Self { transcode_max: 4 }
    }
}

fn own_check(_: &Settings) -> Result<KnownSettings, SettingsError> {
    extract::<RawOwn>()?;
    Ok(KnownSettings::of::<RawOwn>())
}

fn settings(raw: RawSettings) -> Settings {
    Settings::try_from(raw).expect("valid settings")
}

fn args(words: &[&str]) -> Result<Command, String> {
    Command::from_args(words.iter().map(|word| (*word).to_owned()))
}

#[test]
fn options_are_read_and_subcommands_left_to_the_binary() {
    assert_eq!(args(&[]), Ok(Command::Run));
    assert_eq!(args(&["rebuild"]), Ok(Command::Run));
    assert_eq!(args(&["--healthcheck"]), Ok(Command::Healthcheck));
    assert_eq!(args(&["run", "--check-config"]), Ok(Command::CheckConfig));
    let error = args(&["--check-confg"]).expect_err("a mistyped option is refused");
    assert!(error.contains("--check-confg"), "{error}");
}

#[test]
fn check_config_refuses_an_unknown_variable_naming_it() {
    figment::Jail::expect_with(|_| {
        let settings = settings(RawSettings::default());
        let error = check_config(
            "catalog-service",
            &settings,
            own_check,
            ["TONEARM_CATALOG_PROT", "TONEARM_TRANSCODE_MAX", "HOME"],
        )
        .expect_err("a typo is refused");
        assert!(
            error.starts_with("invalid setting TONEARM_CATALOG_PROT:"),
            "{error}"
        );
        assert!(error.contains("TONEARM_CATALOG_PORT"), "{error}");
        assert_eq!(error.lines().count(), 1, "{error}");
        check_config("catalog-service", &settings, own_check, ["TONEARM_TRANSCODE_MAX"])
            .expect("the service's own setting is known");
        Ok(())
    });
}

#[test]
fn check_config_names_a_malformed_value_of_the_services_own_settings() {
    figment::Jail::expect_with(|jail| {
        jail.set_env("TONEARM_TRANSCODE_MAX", "lots");
        let settings = settings(RawSettings::default());
        let error = check_config("stream-service", &settings, own_check, ["TONEARM_TRANSCODE_MAX"])
            .expect_err("not a number");
        assert!(
            error.starts_with("invalid setting TONEARM_TRANSCODE_MAX:"),
            "{error}"
        );
        assert!(error.contains("lots"), "{error}");
        Ok(())
    });
}

#[test]
fn check_config_refuses_an_unknown_key_in_the_settings_file() {
    figment::Jail::expect_with(|jail| {
        jail.create_file("tonearm.toml", "catalog_port = 9001\nmusic_dri = \"/music\"\n")?;
        jail.set_env("TONEARM_CONFIG", "tonearm.toml");
        let settings = settings(RawSettings::default());
        let error = check_config("catalog-service", &settings, own_check, ["TONEARM_CONFIG"])
            .expect_err("a mistyped key is refused");
        assert!(error.starts_with("invalid setting TONEARM_MUSIC_DRI:"), "{error}");
        Ok(())
    });
}

#[test]
fn check_config_refuses_an_open_bind_without_a_token() {
    figment::Jail::expect_with(|_| {
        let open = settings(RawSettings {
            host: "0.0.0.0".into(),
            ..RawSettings::default()
        });
        let error =
            check_config("events-service", &open, no_own_settings, ["TONEARM_HOST"]).expect_err("no token");
        assert!(error.contains("TONEARM_INTERNAL_TOKEN"), "{error}");
        let guarded = settings(RawSettings {
            host: "0.0.0.0".into(),
            internal_token: "0123456789abcdef".into(),
            ..RawSettings::default()
        });
        check_config("events-service", &guarded, no_own_settings, ["TONEARM_HOST"]).expect("token set");
        Ok(())
    });
}

struct Down;

impl DependencyCheck for Down {
    fn name(&self) -> &str {
        "postgres"
    }

    fn check(&self) -> BoxFuture<'_, Result<(), String>> {
        Box::pin(async { Err("connection refused".to_owned()) })
    }
}

/// Serves the probes on a free loopback port; settings naming that port
/// as the catalog's.
fn serve(readiness: Readiness) -> (HttpService, Settings) {
    let listener = bind("127.0.0.1", 0).expect("a free port");
    let mut settings = settings(RawSettings::default());
    let metrics = Metrics::new("catalog").expect("metrics");
    let service = HttpService::start(listener, &settings, metrics, readiness, |_| {}).expect("serving");
    settings.ports.catalog = service.port();
    (service, settings)
}

async fn probe(settings: &Settings) -> Result<(), String> {
    let settings = settings.clone();
    tokio::task::spawn_blocking(move || healthcheck("catalog-service", &settings))
        .await
        .expect("the probe ran")
}

#[actix_web::test]
async fn the_healthcheck_passes_only_while_readyz_answers_200() {
    let timeout = Duration::from_millis(500);
    let (ready, settings) = serve(Readiness::new(timeout));
    let handle = ready.handle();
    let server = actix_web::rt::spawn(ready.run_until_stopped());
    probe(&settings).await.expect("ready");
    handle.stop(false).await;
    server.await.expect("joined").expect("stopped");
    probe(&settings).await.expect_err("nothing listens any more");

    let (unready, settings) = serve(Readiness::new(timeout).with(Down));
    let handle = unready.handle();
    let server = actix_web::rt::spawn(unready.run_until_stopped());
    let error = probe(&settings).await.expect_err("a dependency is down");
    assert!(error.contains("503"), "{error}");
    handle.stop(false).await;
    server.await.expect("joined").expect("stopped");
}

#[test]
fn a_service_bound_to_every_address_is_probed_on_loopback() {
    assert_eq!(probe_host("0.0.0.0"), "127.0.0.1");
    assert_eq!(probe_host("[::]"), "::1");
    assert_eq!(probe_host("10.1.2.3"), "10.1.2.3");
}
