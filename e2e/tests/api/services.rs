//! The services of one test's system, started in this process on free
//! ports: catalog, stream, events and the stats consumer, and the gateway.

use std::{
    path::Path,
    time::{Duration, Instant},
};

use reqwest::Url;

use crate::helpers::{ADMIN_PASSWORD, INTERNAL_TOKEN};

pub fn url(text: &str) -> Url {
    Url::parse(text).expect("url")
}

fn local(port: u16) -> Url {
    url(&format!("http://127.0.0.1:{port}"))
}

/// The catalog, scanning `dirs/music` once at start.
pub async fn start_catalog(settings: &common::Settings, dirs: &Path) -> Url {
    let raw = catalog_service::settings::RawCatalogSettings {
        music_dirs: dirs.join("music").display().to_string(),
        scan_on_start: true,
        watch: false,
        catalog_data_dir: dirs.join("catalog").display().to_string(),
        lastfm_api_key: String::new(),
        ..Default::default()
    };
    let catalog_settings =
        catalog_service::CatalogSettings::validate(raw, common::fetch::RawFetchSettings::default())
            .expect("catalog settings");
    let catalog = catalog_service::Application::build_with(settings.clone(), catalog_settings)
        .await
        .expect("catalog builds");
    let address = local(catalog.port());
    tokio::spawn(catalog.run_until_stopped());
    address
}

pub async fn start_stream(settings: &common::Settings, music: &Path) -> Url {
    let raw = stream_service::settings::RawStreamSettings {
        music_dirs: music.display().to_string(),
        ..Default::default()
    };
    let stream_settings = stream_service::StreamSettings::try_from(raw).expect("stream settings");
    let stream = stream_service::Application::build_with(settings.clone(), stream_settings)
        .await
        .expect("stream builds");
    let address = local(stream.port());
    tokio::spawn(stream.run_until_stopped());
    address
}

/// events-service and the stats consumer; points `settings` at them once
/// events-service is ready.
pub async fn start_live(settings: &mut common::Settings, id: &str, dirs: &Path) {
    let mut events_settings = events_service::settings::EventsSettings::load().expect("events settings");
    events_settings.spool_dir = dirs.join("spool");
    events_settings.tick = Duration::from_millis(50);
    let events = events_service::Application::build_with(settings.clone(), events_settings)
        .await
        .expect("events builds");
    let events_url = local(events.port());
    let socket = format!("ws://127.0.0.1:{}", events.ws_port());
    tokio::spawn(events.run_until_stopped());
    let mut stats_settings = stats_consumer::settings::StatsSettings::load().expect("stats settings");
    stats_settings.group = format!("test-e2e-{id}");
    // A fold that stalls (tansu's group coordinator can hand a member a
    // stale assignment) is recovered by the watchdog; keep its wait short
    // so the tests measure recovery, not the default patience.
    stats_settings.stall = Duration::from_secs(2);
    let stats = stats_consumer::Application::build_with(settings.clone(), stats_settings)
        .await
        .expect("stats consumer builds");
    tokio::spawn(stats.run_until_stopped());
    wait_ready(&events_url).await;
    settings.upstreams.events = vec![events_url];
    settings.upstreams.events_ws =
        common::settings::socket_urls("events_ws_url", &socket).expect("socket url");
}

async fn wait_ready(service: &Url) {
    let client = reqwest::Client::new();
    let readyz = service.join("/readyz").expect("url");
    let deadline = Instant::now() + Duration::from_secs(30);
    while !client
        .get(readyz.clone())
        .send()
        .await
        .is_ok_and(|response| response.status().is_success())
    {
        assert!(Instant::now() < deadline, "{service} never became ready");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The gateway, with a secret key (Subsonic token authentication); its port.
pub async fn start_gateway(settings: &common::Settings) -> u16 {
    let mut gateway_settings = gateway::GatewaySettings::try_from(gateway::settings::RawGatewaySettings {
        admin_password: ADMIN_PASSWORD.into(),
        secret_key: "a secret key for the tests".into(),
        ..Default::default()
    })
    .expect("gateway settings");
    gateway_settings.internal_token = INTERNAL_TOKEN.into();
    let gateway = gateway::Application::build_with(settings.clone(), gateway_settings)
        .await
        .expect("gateway builds");
    let port = gateway.port();
    tokio::spawn(gateway.run_until_stopped());
    port
}
