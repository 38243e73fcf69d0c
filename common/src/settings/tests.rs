//! Unit tests of the shared settings.

use super::*;

fn valid() -> RawSettings {
    RawSettings::default()
}

#[test]
fn defaults_are_valid() {
    let settings = Settings::try_from(valid()).expect("defaults validate");
    assert_eq!(settings.ports.gateway, 8080);
    assert_eq!(settings.kafka.dlq_topic(), "tonearm.player-events.dlq");
}

#[test]
fn a_bad_database_url_names_the_setting() {
    let raw = RawSettings {
        database_url: "mysql://x".into(),
        ..valid()
    };
    let error = Settings::try_from(raw).expect_err("mysql is refused");
    assert_eq!(error.name, "TONEARM_DATABASE_URL");
    assert!(error.to_string().contains("postgres://"), "{error}");
}

#[test]
fn upstream_lists_are_split_and_checked() {
    let urls = http_urls("catalog_url", "http://a:1, http://b:2").expect("two urls");
    assert_eq!(urls.len(), 2);
    let error = http_urls("catalog_url", "ftp://a").expect_err("ftp refused");
    assert_eq!(error.name, "TONEARM_CATALOG_URL");
}

#[test]
fn socket_urls_take_ws_or_http_schemes_and_become_ws() {
    let urls = socket_urls("events_ws_url", "ws://a:1, http://b:2, https://c:3").expect("three urls");
    let schemes: Vec<&str> = urls.iter().map(Url::scheme).collect();
    assert_eq!(schemes, ["ws", "ws", "wss"]);
    let error = socket_urls("events_ws_url", "ftp://a").expect_err("ftp refused");
    assert_eq!(error.name, "TONEARM_EVENTS_WS_URL");
}

#[test]
fn each_service_has_its_own_bind_host_falling_back_to_the_shared_one() {
    let raw = RawSettings {
        host: "10.0.0.5".into(),
        stream_host: "0.0.0.0".into(),
        ..valid()
    };
    let settings = Settings::try_from(raw).expect("valid");
    assert_eq!(settings.hosts.stream, "0.0.0.0");
    assert_eq!(settings.hosts.catalog, "10.0.0.5");
}

#[test]
fn a_short_internal_token_is_refused() {
    let raw = RawSettings {
        internal_token: "guessable".into(),
        ..valid()
    };
    assert_eq!(
        Settings::try_from(raw).expect_err("too short").name,
        "TONEARM_INTERNAL_TOKEN"
    );
}

#[test]
fn schema_names_must_be_identifiers() {
    let raw = RawSettings {
        database_schema: "a; drop".into(),
        ..valid()
    };
    assert_eq!(
        Settings::try_from(raw).expect_err("refused").name,
        "TONEARM_DATABASE_SCHEMA"
    );
}

#[test]
fn environment_overrides_file_which_overrides_defaults() {
    figment::Jail::expect_with(|jail| {
        jail.create_file("tonearm.toml", "catalog_port = 9001\nstream_port = 9002\n")?;
        jail.set_env("TONEARM_CONFIG", "tonearm.toml");
        jail.set_env("TONEARM_STREAM_PORT", "9102");
        jail.set_env("TONEARM_REDIS_PREFIX", "1234");
        let settings = Settings::load().expect("loads");
        assert_eq!(settings.ports.catalog, 9001);
        assert_eq!(settings.ports.stream, 9102);
        assert_eq!(settings.ports.events, 8083);
        assert_eq!(settings.redis.prefix, "1234");
        Ok(())
    });
}

#[test]
fn a_malformed_environment_value_names_the_variable() {
    figment::Jail::expect_with(|jail| {
        jail.set_env("TONEARM_CATALOG_PORT", "eighty");
        let error = Settings::load().expect_err("not a port");
        assert_eq!(error.name, "TONEARM_CATALOG_PORT");
        Ok(())
    });
}

#[test]
fn music_folders_are_split_and_must_be_absolute() {
    assert_eq!(
        music_dirs("music_dirs", " /a, /b ,").expect("two folders").len(),
        2
    );
    assert!(music_dirs("music_dirs", "").expect("none").is_empty());
    let error = music_dirs("music_dirs", "/a,music").expect_err("relative refused");
    assert_eq!(error.name, "TONEARM_MUSIC_DIRS");
}
