//! Starts the real stream service on port 0 with its own PostgreSQL schema
//! holding a `song_sources` table, and its own music folder.

use std::{
    path::{Path, PathBuf},
    sync::OnceLock,
    time::{Duration, Instant},
};

use common::test_support::metrics;
use sqlx::PgPool;
use stream_service::{Application, StreamSettings, settings::RawStreamSettings};
use uuid::Uuid;

/// The internal token the service runs with, as in production (every
/// request but the probes must carry it).
pub const INTERNAL_TOKEN: &str = "stream-tests-internal-token";

/// A running service and what the test set up around it.
pub struct TestApp {
    pub base: String,
    /// Sends the internal token on every request, as the gateway does.
    pub client: reqwest::Client,
    pub pool: PgPool,
    /// The configured music folder.
    pub music: PathBuf,
    /// A folder next to it that must never be served.
    pub outside: PathBuf,
}

/// What a test may change.
pub struct Options {
    pub transcode_max: usize,
    pub catalog_url: Option<String>,
    /// `TONEARM_FETCH_ALLOW_HOSTS` entries (local origin fixtures).
    pub allow_hosts: Vec<String>,
    pub origin_timeout_ms: u64,
    /// `TONEARM_FFMPEG`, when not the real `ffmpeg`.
    pub ffmpeg: Option<PathBuf>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            transcode_max: 4,
            catalog_url: None,
            allow_hosts: Vec::new(),
            origin_timeout_ms: 5_000,
            ffmpeg: None,
        }
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(Options::default()).await
}

pub async fn spawn_app_with(options: Options) -> TestApp {
    let (mut settings, id) = common::test_support::isolated_settings();
    let root = std::env::temp_dir().join(format!("tonearm-stream-{id}"));
    let (music, outside) = (root.join("music"), root.join("outside"));
    std::fs::create_dir_all(&music).expect("music folder");
    std::fs::create_dir_all(&outside).expect("outside folder");
    settings.internal_token = Some(INTERNAL_TOKEN.into());
    if let Some(url) = &options.catalog_url {
        settings.upstreams.catalog = vec![url.parse().expect("catalog url")];
    }
    let pool = common::db::lazy_pool(&settings.database, 2).expect("pool");
    common::db::ensure_schema(&pool, &settings.database.schema)
        .await
        .expect("schema");
    sqlx::query(SONG_SOURCES)
        .execute(&pool)
        .await
        .expect("song_sources table");

    let mut stream = StreamSettings::try_from(RawStreamSettings {
        music_dirs: music.display().to_string(),
        transcode_max: options.transcode_max,
        origin_timeout_ms: options.origin_timeout_ms,
        ..RawStreamSettings::default()
    })
    .expect("stream settings");
    stream.fetch_allow_hosts = options.allow_hosts;
    if let Some(ffmpeg) = options.ffmpeg {
        stream.ffmpeg = ffmpeg;
    }
    let app = Application::build_with(settings.clone(), stream)
        .await
        .expect("builds");
    let port = app.port();
    tokio::spawn(app.run_until_stopped());
    TestApp {
        base: format!("http://127.0.0.1:{port}"),
        client: token_client_builder().build().expect("client"),
        pool,
        music,
        outside,
    }
}

/// A client builder whose clients send the internal token on every request.
pub fn token_client_builder() -> reqwest::ClientBuilder {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        "x-tonearm-internal-token",
        reqwest::header::HeaderValue::from_static(INTERNAL_TOKEN),
    );
    reqwest::Client::builder().default_headers(headers)
}

/// The columns of the catalog's `song_sources` view, as a table.
const SONG_SOURCES: &str = "CREATE TABLE song_sources (
    song_id uuid PRIMARY KEY, kind text NOT NULL, path text, url text, file_name text NOT NULL,
    content_type text, size_bytes bigint, modified_at timestamptz, duration_ms bigint)";

impl TestApp {
    pub fn song_url(&self, id: impl std::fmt::Display) -> String {
        format!("{}/api/stream/songs/{id}", self.base)
    }

    /// Writes `bytes` to `name` in the music folder and registers it.
    pub async fn add_file(&self, name: &str, bytes: &[u8], content_type: Option<&str>) -> Uuid {
        let path = self.music.join(name);
        std::fs::write(&path, bytes).expect("writes the song");
        self.add_local(&path, name, content_type).await
    }

    /// Registers a local row pointing at `path`, wherever it is.
    pub async fn add_local(&self, path: &Path, file_name: &str, content_type: Option<&str>) -> Uuid {
        let id = Uuid::new_v4();
        sqlx::query(
            "INSERT INTO song_sources (song_id, kind, path, file_name, content_type) \
             VALUES ($1, 'local', $2, $3, $4)",
        )
        .bind(id)
        .bind(path.display().to_string())
        .bind(file_name)
        .bind(content_type)
        .execute(&self.pool)
        .await
        .expect("inserts the row");
        id
    }

    /// Registers a remote row without a content type.
    pub async fn add_remote(&self, url: &str, file_name: &str) -> Uuid {
        self.add_remote_typed(url, file_name, None).await
    }

    /// Registers a remote row with the content type the catalog recorded.
    pub async fn add_remote_typed(&self, url: &str, file_name: &str, content_type: Option<&str>) -> Uuid {
        let id = Uuid::new_v4();
        sqlx::query(
            "INSERT INTO song_sources (song_id, kind, url, file_name, content_type) \
             VALUES ($1, 'remote', $2, $3, $4)",
        )
        .bind(id)
        .bind(url)
        .bind(file_name)
        .bind(content_type)
        .execute(&self.pool)
        .await
        .expect("inserts the row");
        id
    }

    /// Copies the shared generated audio file into the music folder.
    pub async fn add_audio(&self, name: &str) -> Uuid {
        let path = self.music.join(name);
        std::fs::copy(audio_fixture(), &path).expect("copies the audio");
        self.add_local(&path, name, Some("audio/mpeg")).await
    }

    pub async fn get(&self, url: &str, headers: &[(&str, &str)]) -> reqwest::Response {
        let mut request = self.client.get(url);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        request.send().await.expect("request sent")
    }

    /// The value of one metric line starting with `prefix`, 0 when absent.
    pub async fn metric(&self, prefix: &str) -> f64 {
        let text = metrics::scrape(&self.client, &self.base).await;
        metrics::value(&text, prefix, &[]).unwrap_or(0.0)
    }
}

/// `len` bytes whose values depend on their position, so any slice can be checked.
pub fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| ((i * 31 + 7) % 251) as u8).collect()
}

/// A ten-minute 32 kbit/s mono MP3 tone, made once per test process.
pub fn audio_fixture() -> &'static Path {
    static AUDIO: OnceLock<PathBuf> = OnceLock::new();
    AUDIO.get_or_init(|| {
        let path = std::env::temp_dir().join(format!("tonearm-stream-tone-{}.mp3", std::process::id()));
        let status = std::process::Command::new("ffmpeg")
            .args(["-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i"])
            .arg("sine=frequency=440:duration=600:sample_rate=22050")
            .args(["-ac", "1", "-c:a", "libmp3lame", "-b:a", "32k"])
            .arg(&path)
            .status()
            .expect("ffmpeg runs");
        assert!(status.success(), "ffmpeg made the fixture");
        path
    })
}

/// Polls `check` until it holds or `deadline` passes.
pub async fn eventually<F, Fut>(deadline: Duration, mut check: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let until = Instant::now() + deadline;
    loop {
        if check().await {
            return true;
        }
        if Instant::now() > until {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}
