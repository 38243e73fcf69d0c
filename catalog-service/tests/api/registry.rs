//! A source added the way `docs/repositories.md` shows: one type
//! implementing `Source`, registered in a `Registry`.

use std::sync::{
    Arc,
    atomic::{AtomicUsize, Ordering},
};

use catalog_service::{
    domain::{NewSong, SongKind, ids},
    sources::{Registry, Source},
    store::write::upsert_songs,
};
use futures_util::future::BoxFuture;
use serde_json::Value;
use sqlx::PgPool;

use crate::helpers::spawn_app;

/// Radio stations as songs of the album "Radio".
struct Stations {
    pool: PgPool,
    stations: Vec<(&'static str, &'static str)>,
    scheduled: AtomicUsize,
}

impl Source for Stations {
    fn name(&self) -> &'static str {
        "stations"
    }

    fn import(&self) -> BoxFuture<'_, anyhow::Result<()>> {
        Box::pin(async move {
            let songs: Vec<NewSong> = self
                .stations
                .iter()
                .map(|(name, url)| {
                    let mut song = NewSong {
                        id: ids::remote_song_id(url),
                        kind: SongKind::Remote,
                        url: Some((*url).to_owned()),
                        file_name: (*name).to_owned(),
                        title: (*name).to_owned(),
                        ..NewSong::default()
                    };
                    song.set_credits(vec![(*name).to_owned()], Some("Radio".into()), None);
                    song
                })
                .collect();
            upsert_songs(&self.pool, &songs).await
        })
    }

    fn schedule(&self) -> BoxFuture<'_, anyhow::Result<()>> {
        self.scheduled.fetch_add(1, Ordering::SeqCst);
        self.import()
    }
}

#[tokio::test]
async fn a_registered_source_has_its_songs_listed_and_searchable() {
    let app = spawn_app().await;
    let stations = Arc::new(Stations {
        pool: app.app.pool.clone(),
        stations: vec![
            ("Tonearm FM", "https://radio.example/fm.mp3"),
            ("Night Jazz", "https://radio.example/jazz.mp3"),
        ],
        scheduled: AtomicUsize::new(0),
    });
    let registry = Registry::new().with(stations.clone());
    registry.schedule_all().await;
    assert_eq!(stations.scheduled.load(Ordering::SeqCst), 1);
    registry.import_all().await.expect("imported again");

    assert_eq!(
        app.titles("source=remote").await,
        vec!["Night Jazz", "Tonearm FM"]
    );
    assert!(app.titles("source=local").await.is_empty());
    let found: Value = app.get("search?q=jazz").await.json().await.expect("json");
    assert_eq!(found["songs"][0]["title"], "Night Jazz");
    assert_eq!(found["songs"][0]["source_kind"], "remote");
    assert_eq!(found["songs"][0]["album"]["title"], "Radio");
}
