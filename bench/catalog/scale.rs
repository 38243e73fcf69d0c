//! The query figures at scale (100,000 songs), the watcher figure and the
//! benchmark's own schemas.

use std::time::{Duration, Instant};

use anyhow::Context as _;
use catalog_service::{
    domain::{NewSong, SongKind, ids},
    store::write::upsert_songs,
};
use common::{Settings, settings::DatabaseSettings};
use sqlx::PgPool;

use crate::{library::WORDS, load, service::Service};

pub fn fresh_schema(label: &str) -> String {
    format!("bench_{label}_{}", uuid::Uuid::new_v4().simple())
}

pub async fn pool(schema: &str) -> anyhow::Result<PgPool> {
    let settings = Settings::load()?;
    let database = DatabaseSettings {
        url: settings.database.url,
        schema: schema.to_owned(),
    };
    Ok(PgPool::connect_with(common::db::connect_options(&database)?).await?)
}

pub async fn drop_schema(schema: &str) -> anyhow::Result<()> {
    let pool = pool("public").await?;
    sqlx::query(&format!("DROP SCHEMA IF EXISTS \"{schema}\" CASCADE"))
        .execute(&pool)
        .await?;
    Ok(())
}

/// Adds one tagged file in a new folder; answers how long until the API lists it.
pub async fn watched_addition(service: &Service, library: &std::path::Path) -> anyhow::Result<Duration> {
    let template = std::fs::read_dir(library)?
        .filter_map(Result::ok)
        .find_map(|artist| {
            std::fs::read_dir(artist.path())
                .ok()?
                .filter_map(Result::ok)
                .next()
        })
        .and_then(|album| {
            std::fs::read_dir(album.path())
                .ok()?
                .filter_map(Result::ok)
                .map(|e| e.path())
                .find(|p| p.is_file())
        })
        .context("a file to copy")?;
    let folder = library.join("Watched addition");
    std::fs::create_dir_all(&folder)?;
    let path = folder.join(template.file_name().context("a name")?);
    let started = Instant::now();
    std::fs::copy(&template, &path)?;
    let title = template
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default()
        .to_owned();
    let result = async {
        loop {
            let page = service
                .get(&format!("songs?limit=500&album={}", folder_album(&template)))
                .await?;
            let count = page["items"].as_array().map_or(0, Vec::len);
            // The copy has the same tags as the original: its album now has one more song.
            if count > 10 {
                return anyhow::Ok(started.elapsed());
            }
            anyhow::ensure!(
                started.elapsed() < Duration::from_secs(30),
                "{title} not seen within 30 s"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
    .await;
    std::fs::remove_dir_all(&folder)?;
    result
}

fn folder_album(file: &std::path::Path) -> String {
    let album = file
        .parent()
        .and_then(|p| p.file_name())
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    album.replace(' ', "%20")
}

/// Inserts `songs` synthetic songs, then measures search and listing.
pub async fn queries(songs: usize) -> anyhow::Result<()> {
    println!("\n{songs} songs");
    let schema = fresh_schema("queries");
    let empty = tempfile::TempDir::new()?;
    let service = Service::start(&schema, empty.path()).await?;
    let started = Instant::now();
    let pool = pool(&schema).await?;
    for batch in (0..songs).collect::<Vec<_>>().chunks(1000) {
        let rows: Vec<NewSong> = batch.iter().map(|&n| synthetic(n)).collect();
        upsert_songs(&pool, &rows).await?;
    }
    sqlx::query("ANALYZE").execute(&pool).await?;
    println!("  inserted in {:.1} s", started.elapsed().as_secs_f64());
    let typed = load::typing(&[
        "bjork",
        "breathe",
        "yellow sub",
        "ocean",
        "motorhead",
        "song 4242",
        "thundr",
    ]);
    let paths: Vec<String> = typed
        .iter()
        .map(|q| service.url(&format!("search?q={}", q.replace(' ', "%20"))))
        .collect();
    let (p50, p99) = load::measure(&service.client, &paths, 32, 3_200).await?;
    println!(
        "  search as you type, 32 clients: p50 {:.1} ms, p99 {:.1} ms (target p99 < 30 ms: {})",
        ms(p50),
        ms(p99),
        crate::verdict(p99 < Duration::from_millis(30))
    );
    let first = vec![service.url("songs?limit=50")];
    let (_, first_p99) = load::measure(&service.client, &first, 32, 3_200).await?;
    let deep = vec![service.url(&format!(
        "songs?limit=50&cursor={}",
        deep_cursor(&service, songs / 2).await?
    ))];
    let (_, deep_p99) = load::measure(&service.client, &deep, 32, 3_200).await?;
    println!(
        "  songs, 32 clients: first page p99 {:.1} ms, page at {} p99 {:.1} ms (target < 20 ms: {})",
        ms(first_p99),
        songs / 2,
        ms(deep_p99),
        crate::verdict(first_p99.max(deep_p99) < Duration::from_millis(20))
    );
    if let Some(rss) = service.peak_rss_mib() {
        println!("  peak RSS of the service: {rss:.0} MiB");
    }
    drop(service);
    drop_schema(&schema).await
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

/// The cursor after `depth` songs in title order.
async fn deep_cursor(service: &Service, depth: usize) -> anyhow::Result<String> {
    let mut cursor = String::new();
    for _ in 0..depth / 500 {
        let page = service.get(&format!("songs?limit=500{cursor}")).await?;
        let next = page["next_cursor"].as_str().context("a next page")?;
        cursor = format!("&cursor={next}");
    }
    Ok(cursor.trim_start_matches("&cursor=").to_owned())
}

fn synthetic(n: usize) -> NewSong {
    let artist = n / 80;
    let url = format!("http://bench.invalid/{n}.mp3");
    let mut song = NewSong {
        id: ids::remote_song_id(&url),
        kind: SongKind::Remote,
        url: Some(url),
        file_name: format!("{n}.mp3"),
        title: format!("Song {n} {}", WORDS[n % WORDS.len()]),
        track_number: Some((n % 10) as i32 + 1),
        year: Some(1970 + (artist % 50) as i32),
        genres: vec!["Rock".into()],
        duration_ms: Some(180_000 + (n % 120) as i64 * 1000),
        ..NewSong::default()
    };
    song.set_credits(
        vec![format!("Artist {artist:05} {}", WORDS[artist % WORDS.len()])],
        Some(format!("Album {} of {artist:05}", (n / 10) % 8)),
        None,
    );
    song
}
