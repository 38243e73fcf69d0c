//! The whole path through the gateway against the real services,
//! PostgreSQL, Redis and the broker: sign in, list songs, stream one with a
//! Range request, open `/ws`, send `play`, and see the song's listener
//! count rise.

use std::time::{Duration, Instant};

use futures_util::{SinkExt as _, StreamExt as _};
use tokio_tungstenite::tungstenite::{Message, client::IntoClientRequest as _};

const PASSWORD: &str = "end-to-end-admin";

fn write_song(dir: &std::path::Path) {
    let file = dir.join("01 - Tone.mp3");
    let status = std::process::Command::new("ffmpeg")
        .args([
            "-loglevel",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            "sine=frequency=440:duration=3",
        ])
        .args([
            "-metadata",
            "title=Tone",
            "-metadata",
            "artist=Tonearm Tests",
            "-metadata",
            "album=Fixtures",
        ])
        .arg(&file)
        .status()
        .expect("ffmpeg runs");
    assert!(status.success(), "ffmpeg made the song");
}

fn url(port: u16) -> reqwest::Url {
    reqwest::Url::parse(&format!("http://127.0.0.1:{port}")).expect("url")
}

async fn wait_ready(client: &reqwest::Client, port: u16) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !client
        .get(format!("http://127.0.0.1:{port}/readyz"))
        .send()
        .await
        .is_ok_and(|response| response.status().is_success())
    {
        if Instant::now() >= deadline {
            let body = match client.get(format!("http://127.0.0.1:{port}/readyz")).send().await {
                Ok(response) => response.text().await.unwrap_or_default(),
                Err(error) => error.to_string(),
            };
            panic!("a service never became ready: {body}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The services of one isolated system, started in this process.
struct System {
    settings: common::Settings,
    music: std::path::PathBuf,
    id: String,
    client: reqwest::Client,
}

impl System {
    /// Catalog (with one song, scanned at start) and stream.
    async fn start() -> Self {
        common::telemetry::init_for_tests();
        let id = uuid::Uuid::new_v4().simple().to_string();
        let music = std::env::temp_dir().join(format!("tonearm-e2e-music-{id}"));
        std::fs::create_dir_all(&music).expect("music dir");
        write_song(&music);
        let mut settings = common::Settings::load().expect("settings");
        settings.database.schema = format!("test_{id}");
        settings.redis.prefix = format!("test:{id}:");
        settings.kafka.events_topic = format!("tonearm.player-events.test-{id}");
        settings.shutdown_timeout = Duration::from_secs(1);
        settings.internal_token = Some(format!("token-{id}"));
        settings.ports.catalog = 0;
        settings.ports.stream = 0;
        settings.ports.events = 0;
        settings.ports.events_ws = 0;
        settings.ports.stats = 0;
        settings.ports.gateway = 0;

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
        settings.upstreams.catalog = vec![url(catalog.port())];
        tokio::spawn(catalog.run_until_stopped());

        let raw = stream_service::settings::RawStreamSettings {
            music_dirs: music.display().to_string(),
            ..Default::default()
        };
        let stream_settings = stream_service::StreamSettings::try_from(raw).expect("stream settings");
        let stream = stream_service::Application::build_with(settings.clone(), stream_settings)
            .await
            .expect("stream builds");
        settings.upstreams.stream = vec![url(stream.port())];
        tokio::spawn(stream.run_until_stopped());
        Self {
            settings,
            music,
            id,
            client: reqwest::Client::new(),
        }
    }

    /// events-service and the stats consumer; returns the events port.
    async fn start_live(&mut self) -> u16 {
        let mut events_settings = events_service::settings::EventsSettings::load().expect("events settings");
        events_settings.spool_dir = std::env::temp_dir().join(format!("tonearm-e2e-spool-{}", self.id));
        events_settings.tick = Duration::from_millis(50);
        let events = events_service::Application::build_with(self.settings.clone(), events_settings)
            .await
            .expect("events builds");
        let port = events.port();
        self.settings.upstreams.events = vec![url(port)];
        self.settings.upstreams.events_ws =
            common::settings::socket_urls("events_ws_url", &format!("ws://127.0.0.1:{}", events.ws_port()))
                .expect("socket url");
        tokio::spawn(events.run_until_stopped());
        let mut stats_settings = stats_consumer::settings::StatsSettings::load().expect("stats settings");
        stats_settings.group = format!("test-e2e-{}", self.id);
        // A fold that stalls (tansu's group coordinator can hand a member
        // a stale assignment) is recovered by the watchdog; keep its wait
        // short so the test measures recovery, not the default patience.
        stats_settings.stall = Duration::from_secs(2);
        let stats = stats_consumer::Application::build_with(self.settings.clone(), stats_settings)
            .await
            .expect("stats consumer builds");
        tokio::spawn(stats.run_until_stopped());
        wait_ready(&self.client, port).await;
        port
    }

    /// The gateway in front; returns its base URL and a signed-in cookie.
    async fn start_gateway(&self) -> (u16, String) {
        let mut gateway_settings =
            gateway::GatewaySettings::try_from(gateway::settings::RawGatewaySettings {
                admin_password: PASSWORD.into(),
                ..Default::default()
            })
            .expect("gateway settings");
        gateway_settings.internal_token = format!("token-{}", self.id);
        let gateway = gateway::Application::build_with(self.settings.clone(), gateway_settings)
            .await
            .expect("gateway builds");
        let port = gateway.port();
        tokio::spawn(gateway.run_until_stopped());
        let login = self
            .client
            .post(format!("http://127.0.0.1:{port}/api/auth/login"))
            .json(&serde_json::json!({"username": "admin", "password": PASSWORD}))
            .send()
            .await
            .expect("login");
        assert_eq!(login.status(), 200);
        let cookie = login.headers()["set-cookie"].to_str().expect("text");
        (port, cookie.split(';').next().expect("cookie").to_owned())
    }

    /// Lists songs through the gateway until the scanned one shows up.
    async fn first_song(&self, base: &str, cookie: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let page: serde_json::Value = self
                .client
                .get(format!("{base}/api/catalog/songs"))
                .header("cookie", cookie)
                .send()
                .await
                .expect("songs")
                .json()
                .await
                .expect("json");
            if let Some(song) = page["items"].get(0) {
                return song["id"].as_str().expect("song id").to_owned();
            }
            assert!(Instant::now() < deadline, "the song was never listed: {page}");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// A ranged read of the song through the gateway.
    async fn check_range(&self, base: &str, cookie: &str, song: &str) {
        let ranged = self
            .client
            .get(format!("{base}/api/stream/songs/{song}"))
            .header("cookie", cookie)
            .header("range", "bytes=0-99")
            .send()
            .await
            .expect("stream");
        assert_eq!(ranged.status(), 206);
        let range = ranged.headers()["content-range"]
            .to_str()
            .expect("text")
            .to_owned();
        assert!(range.starts_with("bytes 0-99/"), "{range}");
        assert_eq!(ranged.bytes().await.expect("body").len(), 100);
    }
}

impl Drop for System {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.music);
    }
}

#[tokio::test]
async fn sign_in_list_and_stream_a_range_through_the_real_services() {
    let system = System::start().await;
    let (port, cookie) = system.start_gateway().await;
    let base = format!("http://127.0.0.1:{port}");
    let song = system.first_song(&base, &cookie).await;
    system.check_range(&base, &cookie, &song).await;
}

#[tokio::test]
async fn a_play_through_the_gateway_raises_the_listener_count() {
    let mut system = System::start().await;
    system.start_live().await;
    let (port, cookie) = system.start_gateway().await;
    let base = format!("http://127.0.0.1:{port}");
    let song = system.first_song(&base, &cookie).await;
    system.check_range(&base, &cookie, &song).await;

    let mut request = format!("ws://127.0.0.1:{port}/ws")
        .into_client_request()
        .expect("request");
    request
        .headers_mut()
        .insert("cookie", cookie.parse().expect("header"));
    let (mut socket, _) = tokio_tungstenite::connect_async(request)
        .await
        .expect("socket through the gateway");
    let play = serde_json::json!({"type": "play", "song": song, "position_ms": 0});
    socket
        .send(Message::text(play.to_string()))
        .await
        .expect("send play");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let remaining = deadline.saturating_duration_since(Instant::now());
        let message = tokio::time::timeout(remaining, socket.next())
            .await
            .expect("the listener count rose in time")
            .expect("socket open")
            .expect("a message");
        let Message::Text(text) = message else { continue };
        let value: serde_json::Value = serde_json::from_str(text.as_str()).expect("json message");
        if value["type"] == "stats"
            && value["song"] == song.as_str()
            && value["listeners"].as_u64() >= Some(1)
        {
            break;
        }
    }
}
