//! Two catalog replicas on one schema and one music folder, as in a
//! deployment running two: scans take turns between them.

use std::{path::Path, time::Duration};

use catalog_service::{
    Application,
    api::AppState,
    settings::{CatalogSettings, RawCatalogSettings},
    sources::{
        internet::REFRESH_LOCK,
        local::{scanner::NotStarted, turns::SCAN_LOCK},
    },
};
use common::{Settings, fetch::RawFetchSettings, pg_lock};
use sqlx::PgPool;
use tempfile::TempDir;

use crate::{
    audio::{Tags, make},
    fixtures::{FixtureServer, Route},
};

fn settings(schema: &str) -> Settings {
    let mut settings = Settings::load().expect("settings");
    settings.ports.catalog = 0;
    settings.database.schema = schema.to_owned();
    settings
}

/// Catalog settings on `music`, keeping its data under `data`, fetching
/// only from `allow_hosts`.
fn catalog(music: &Path, data: &Path, allow_hosts: &str) -> CatalogSettings {
    let raw = RawCatalogSettings {
        watch: false,
        scan_on_start: false,
        music_dirs: music.display().to_string(),
        catalog_data_dir: data.join("catalog").display().to_string(),
        ..RawCatalogSettings::default()
    };
    let fetch = RawFetchSettings {
        fetch_allow_hosts: allow_hosts.to_owned(),
    };
    CatalogSettings::validate(raw, fetch).expect("catalog settings")
}

/// One replica, migrated and serving, with a data folder of its own.
async fn replica(schema: &str, music: &Path) -> (AppState, TempDir) {
    let data = TempDir::new().expect("a temp dir");
    (replica_with(schema, catalog(music, data.path(), "")).await, data)
}

async fn replica_with(schema: &str, catalog: CatalogSettings) -> AppState {
    let app = Application::build_with(settings(schema), catalog)
        .await
        .expect("the app builds");
    let state = app.state().clone();
    tokio::spawn(app.run_until_stopped());
    tokio::time::timeout(Duration::from_secs(30), state.migrated.wait())
        .await
        .expect("migrated in time");
    state
}

/// Two replicas sharing a schema and a music folder.
struct Replicas {
    music: TempDir,
    pool: PgPool,
    a: AppState,
    b: AppState,
    _data: [TempDir; 2],
}

/// A music folder of `count` songs, and two replicas sharing a schema.
async fn two_replicas(count: usize) -> Replicas {
    let music = TempDir::new().expect("a temp dir");
    make(music.path(), "0.mp3", &Tags::song("Joga", "Björk", "Homogenic"));
    for n in 1..count {
        std::fs::copy(music.path().join("0.mp3"), music.path().join(format!("{n}.mp3"))).expect("copy");
    }
    let schema = format!("test_{}", uuid::Uuid::new_v4().simple());
    let (a, data_a) = replica(&schema, music.path()).await;
    let (b, data_b) = replica(&schema, music.path()).await;
    let pool = common::db::lazy_pool(&settings(&schema).database, 2).expect("pool");
    Replicas {
        music,
        pool,
        a,
        b,
        _data: [data_a, data_b],
    }
}

async fn wait_idle(replicas: &[&AppState]) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while replicas.iter().any(|state| state.scanner.is_running()) {
        assert!(tokio::time::Instant::now() < deadline, "a scan did not end");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn two_replicas_asked_to_scan_at_once_run_one_scan() {
    // Bound by name: a field left to `..` would be dropped (the folders deleted) at once.
    let Replicas {
        music: _music,
        pool,
        a,
        b,
        _data,
    } = two_replicas(40).await;
    let (started_a, started_b) = tokio::join!(a.scanner.start("api"), b.scanner.start("api"));
    assert!(
        started_a.is_ok() != started_b.is_ok(),
        "exactly one replica scans: {started_a:?} {started_b:?}"
    );
    let refused = started_a.err().or(started_b.err());
    assert!(matches!(refused, Some(NotStarted::AlreadyRunning)), "{refused:?}");
    wait_idle(&[&a, &b]).await;
    let scans: i64 = sqlx::query_scalar("SELECT count(*) FROM scans")
        .fetch_one(&pool)
        .await
        .expect("scans counted");
    assert_eq!(scans, 1);
    // Both show it, though only one ran it.
    let (ran, other) = if a.scanner.current().is_some() {
        (&a, &b)
    } else {
        (&b, &a)
    };
    assert!(other.scanner.current().is_none());
    let shown = other.scanner.current_anywhere().await.expect("the scan is shown");
    let own = ran.scanner.current().expect("the scan ran here");
    assert_eq!((shown.id, shown.state.as_str()), (own.id, "finished"));
    let songs: i64 = sqlx::query_scalar("SELECT count(*) FROM songs")
        .fetch_one(&pool)
        .await
        .expect("songs counted");
    assert_eq!((songs, shown.done), (40, 40));
    // Once it is over, the other replica may scan.
    let second = other;
    second.scanner.start("api").await.expect("free again");
    wait_idle(&[&a, &b]).await;
}

#[tokio::test]
async fn while_another_replica_scans_changes_wait_and_scans_are_refused() {
    let Replicas {
        music,
        pool,
        a,
        b: _b,
        _data,
    } = two_replicas(1).await;
    // The other replica, mid-scan.
    let other = pg_lock::try_lock(&pool, SCAN_LOCK)
        .await
        .expect("asks")
        .expect("free");
    let refused = a.scanner.start("api").await;
    assert!(matches!(refused, Err(NotStarted::AlreadyRunning)), "{refused:?}");
    assert!(!a.scanner.is_running(), "a refused scan leaves no run behind");
    make(
        music.path(),
        "new.mp3",
        &Tags::song("Bachelorette", "Björk", "Homogenic"),
    );
    let recheck = tokio::spawn({
        let a = a.clone();
        let path = music.path().join("new.mp3");
        async move { a.scanner.recheck(&[path]).await }
    });
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert!(!recheck.is_finished(), "a change waits for the running scan");
    other.release().await;
    tokio::time::timeout(Duration::from_secs(10), recheck)
        .await
        .expect("applied once the scan is over")
        .expect("joined")
        .expect("applied");
    let songs: i64 = sqlx::query_scalar("SELECT count(*) FROM songs")
        .fetch_one(&pool)
        .await
        .expect("songs counted");
    assert_eq!(songs, 1);
}

#[tokio::test]
async fn scheduled_source_refreshes_wait_while_another_replica_refreshes() {
    let server = FixtureServer::start().await;
    let feed = "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Local Radio Hour</title>\
                <item><title>One</title><enclosure url=\"/media/one.mp3\" length=\"1000\" type=\"audio/mpeg\"/></item>\
                </channel></rss>";
    server.set("/feed.xml", Route::ok("application/rss+xml", feed));
    let (music, data) = (
        TempDir::new().expect("a temp dir"),
        TempDir::new().expect("a temp dir"),
    );
    let schema = format!("test_{}", uuid::Uuid::new_v4().simple());
    let mut settings = catalog(music.path(), data.path(), &server.host());
    // Due again a moment after each refresh, checked as often.
    settings.source_refresh = Duration::from_millis(300);
    let app = replica_with(&schema, settings).await;
    let pool = common::db::lazy_pool(&self::settings(&schema).database, 2).expect("pool");
    // Another replica is refreshing the sources (this one's own rounds,
    // with nothing due yet, hold the lock for a moment every 300 ms).
    let other = loop {
        if let Some(lock) = pg_lock::try_lock(&pool, REFRESH_LOCK).await.expect("asks") {
            break lock;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    app.internet.add(&server.url("/feed.xml")).await.expect("added");
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(
        server.seen("/feed.xml").len(),
        1,
        "only the first fetch, when added"
    );
    other.release().await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while server.seen("/feed.xml").len() < 2 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "never refreshed once free"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
