//! The real catalog and stream services, with a small tagged library,
//! behind a gateway, for the Subsonic tests.

use std::time::{Duration, Instant};

use reqwest::Url;

use crate::helpers::{self, INTERNAL_TOKEN, Options, TestApp};

/// Title, artist, album, genre, year, track of each fixture song.
const SONGS: &[(&str, &str, &str, &str, &str, &str)] = &[
    ("Alpha One", "Able Artist", "First Album", "Rock", "2001", "1"),
    ("Alpha Two", "Able Artist", "First Album", "Rock", "2001", "2"),
    ("Beta Song", "Baker Band", "Second Album", "Jazz", "1999", "1"),
];

/// The lyrics embedded in "Alpha One" (an ID3 USLT frame), in LRC form.
pub const LYRICS: &str = "lyrics=[00:00.50]First line\n[00:01.25]Second line";

/// Running services and the gateway in front of them.
pub struct System {
    pub app: TestApp,
    music: std::path::PathBuf,
}

impl Drop for System {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.music);
    }
}

fn write_songs(dir: &std::path::Path) {
    for (title, artist, album, genre, year, track) in SONGS {
        let status = std::process::Command::new("ffmpeg")
            .args([
                "-loglevel",
                "error",
                "-y",
                "-f",
                "lavfi",
                "-i",
                "sine=frequency=440:duration=2",
            ])
            .args(["-metadata", &format!("title={title}")])
            .args(["-metadata", &format!("artist={artist}")])
            .args(["-metadata", &format!("album_artist={artist}")])
            .args(["-metadata", &format!("album={album}")])
            .args(["-metadata", &format!("genre={genre}")])
            .args(["-metadata", &format!("date={year}")])
            .args(["-metadata", &format!("track={track}")])
            .args(if *title == "Alpha One" {
                vec!["-metadata", LYRICS]
            } else {
                Vec::new()
            })
            .arg(dir.join(format!("{title}.mp3")))
            .status()
            .expect("ffmpeg runs");
        assert!(status.success(), "ffmpeg made {title}");
    }
    // A folder image: the cover of every song and album here.
    let status = std::process::Command::new("ffmpeg")
        .args([
            "-loglevel",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            "color=c=red:s=300x300",
        ])
        .args(["-frames:v", "1"])
        .arg(dir.join("cover.jpg"))
        .status()
        .expect("ffmpeg runs");
    assert!(status.success(), "ffmpeg made the cover");
}

fn url(port: u16) -> Url {
    Url::parse(&format!("http://127.0.0.1:{port}")).expect("url")
}

/// events-service and the stats consumer; returns the events API's URL.
async fn start_live(settings: &common::Settings, id: &str) -> Url {
    let mut events_settings = events_service::settings::EventsSettings::load().expect("events settings");
    events_settings.spool_dir = std::env::temp_dir().join(format!("tonearm-subsonic-spool-{id}"));
    events_settings.tick = Duration::from_millis(50);
    let events = events_service::Application::build_with(settings.clone(), events_settings)
        .await
        .expect("events builds");
    let events_url = url(events.port());
    tokio::spawn(events.run_until_stopped());
    let mut stats_settings = stats_consumer::settings::StatsSettings::load().expect("stats settings");
    stats_settings.group = format!("test-subsonic-{id}");
    // The watchdog recovers a stalled fold; keep its wait short in tests.
    stats_settings.stall = Duration::from_secs(2);
    let stats = stats_consumer::Application::build_with(settings.clone(), stats_settings)
        .await
        .expect("stats consumer builds");
    tokio::spawn(stats.run_until_stopped());
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    while !client
        .get(events_url.join("/readyz").expect("url"))
        .send()
        .await
        .is_ok_and(|response| response.status().is_success())
    {
        assert!(Instant::now() < deadline, "events-service never became ready");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    events_url
}

impl System {
    /// Starts catalog (scanning the fixture songs) and stream, then a
    /// gateway with a secret key in front, and waits for the scan.
    pub async fn start() -> Self {
        Self::start_with(false).await
    }

    /// As [`Self::start`], plus events-service and the stats consumer on a
    /// topic of their own (plays and now playing).
    pub async fn start_live() -> Self {
        Self::start_with(true).await
    }

    async fn start_with(live: bool) -> Self {
        common::telemetry::init_for_tests();
        let id = uuid::Uuid::new_v4().simple().to_string();
        let music = std::env::temp_dir().join(format!("tonearm-subsonic-music-{id}"));
        std::fs::create_dir_all(&music).expect("music dir");
        write_songs(&music);
        let mut settings = common::Settings::load().expect("settings");
        settings.database.schema = format!("test_{id}");
        settings.redis.prefix = format!("test:{id}:");
        settings.shutdown_timeout = Duration::from_secs(1);
        settings.internal_token = Some(INTERNAL_TOKEN.into());
        settings.ports.catalog = 0;
        settings.ports.stream = 0;
        settings.ports.events = 0;
        settings.ports.events_ws = 0;
        settings.ports.stats = 0;
        settings.kafka.events_topic = format!("tonearm.player-events.test-{id}");
        let raw = catalog_service::settings::RawCatalogSettings {
            music_dirs: music.display().to_string(),
            scan_on_start: true,
            watch: false,
            cover_cache_dir: music.join(".covers").display().to_string(),
            lastfm_api_key: String::new(),
            ..Default::default()
        };
        let catalog_settings =
            catalog_service::CatalogSettings::validate(raw, common::fetch::RawFetchSettings::default())
                .expect("catalog settings");
        let catalog = catalog_service::Application::build_with(settings.clone(), catalog_settings)
            .await
            .expect("catalog builds");
        let catalog_url = url(catalog.port());
        settings.upstreams.catalog = vec![catalog_url.clone()];
        tokio::spawn(catalog.run_until_stopped());
        let raw = stream_service::settings::RawStreamSettings {
            music_dirs: music.display().to_string(),
            ..Default::default()
        };
        let stream_settings = stream_service::StreamSettings::try_from(raw).expect("stream settings");
        let stream = stream_service::Application::build_with(settings.clone(), stream_settings)
            .await
            .expect("stream builds");
        let stream_url = url(stream.port());
        tokio::spawn(stream.run_until_stopped());
        let events = if live {
            Some(start_live(&settings, &id).await.to_string())
        } else {
            None
        };
        let app = helpers::spawn_app_with(Options {
            catalog: vec![catalog_url.to_string()],
            stream: Some(stream_url.to_string()),
            events,
            redis_prefix: Some(settings.redis.prefix.clone()),
            tweak: |raw| raw.secret_key = "a secret key for the tests".into(),
            ..Options::default()
        })
        .await;
        let system = Self { app, music };
        system.wait_for_scan().await;
        system
    }

    async fn wait_for_scan(&self) {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let body = self.json("search3", &[("query", ""), ("songCount", "10")]).await;
            let found = body["subsonic-response"]["searchResult3"]["song"]
                .as_array()
                .map_or(0, Vec::len);
            if found == SONGS.len() {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "the scan never listed the songs: {body}"
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// `/rest/<method>` as admin with a plain password, as JSON.
    pub async fn json(&self, method: &str, params: &[(&str, &str)]) -> serde_json::Value {
        self.call(method, params, "json")
            .await
            .json()
            .await
            .expect("a JSON answer")
    }

    /// `/rest/<method>` as admin in the format `f`.
    pub async fn call(&self, method: &str, params: &[(&str, &str)], f: &str) -> reqwest::Response {
        let mut query = vec![
            ("u", "admin"),
            ("p", helpers::ADMIN_PASSWORD),
            ("v", "1.16.1"),
            ("c", "tests"),
            ("f", f),
        ];
        query.extend_from_slice(params);
        self.app
            .client
            .get(self.app.url(&format!("/rest/{method}")))
            .query(&query)
            .send()
            .await
            .expect("rest call")
    }
}
