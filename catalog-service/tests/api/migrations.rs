//! Migrations that rebuild a table keep what it held and what refers to it.

use common::test_support::isolated_settings;
use serde_json::Value;
use sqlx::{PgPool, migrate::Migrator};

/// The migration that rebuilds `songs` with its keys written and its
/// indexed columns first.
const SONGS_REBUILT: &str = "20261206500001";
const SONG: &str = "7f3a1c2e-0000-4000-8000-000000000001";
const OTHER: &str = "7f3a1c2e-0000-4000-8000-000000000002";
const ALBUM: &str = "7f3a1c2e-0000-4000-8000-0000000000a1";
const ARTIST: &str = "7f3a1c2e-0000-4000-8000-0000000000c1";
const PLAYLIST: &str = "7f3a1c2e-0000-4000-8000-0000000000b1";

/// A pool on a fresh schema with the migrations before `SONGS_REBUILT` applied.
async fn schema_before_the_rebuild() -> PgPool {
    let (settings, _) = isolated_settings();
    let pool = common::db::lazy_pool(&settings.database, 2).expect("a pool");
    common::db::ensure_schema(&pool, &settings.database.schema)
        .await
        .expect("a schema");
    let earlier = tempfile::TempDir::new().expect("a temp dir");
    let migrations = concat!(env!("CARGO_MANIFEST_DIR"), "/migrations");
    for entry in std::fs::read_dir(migrations).expect("the migrations") {
        let path = entry.expect("a migration").path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .expect("a name")
            .to_owned();
        if name.as_str() < SONGS_REBUILT {
            std::fs::copy(&path, earlier.path().join(&name)).expect("copying a migration");
        }
    }
    Migrator::new(earlier.path())
        .await
        .expect("the earlier migrations")
        .run(&pool)
        .await
        .expect("applying the earlier migrations");
    pool
}

/// Every column of a song, by name.
async fn song_row(pool: &PgPool, id: &str) -> Value {
    sqlx::query_scalar("SELECT to_jsonb(s) FROM songs s WHERE id = $1::uuid")
        .bind(id)
        .fetch_one(pool)
        .await
        .expect("a song")
}

async fn count(pool: &PgPool, statement: &str) -> i64 {
    sqlx::query_scalar(statement)
        .fetch_one(pool)
        .await
        .expect("a count")
}

#[tokio::test]
async fn rebuilding_songs_keeps_every_column_favourites_playlists_and_queues() {
    let pool = schema_before_the_rebuild().await;
    let setup = format!(
        "INSERT INTO artists (id, name) VALUES ('{ARTIST}', 'Björk');
         INSERT INTO albums (id, title, artist, artist_id) VALUES ('{ALBUM}', 'Homogenic', 'Björk', '{ARTIST}');
         INSERT INTO songs (id, kind, path, file_name, title, artist, artists, album, album_id,
                            album_artist, year, duration_ms, genres, lyrics)
         VALUES ('{SONG}', 'local', '/music/joga.flac', 'joga.flac', 'Jóga', 'Björk', '{{Björk}}',
                 'Homogenic', '{ALBUM}', 'Björk', 1997, 305000, '{{Electronic}}', 'All these accidents'),
                ('{OTHER}', 'local', '/music/bachelorette.flac', 'bachelorette.flac', 'Bachelorette',
                 'Björk', '{{Björk}}', 'Homogenic', '{ALBUM}', 'Björk', NULL, NULL, '{{}}', NULL);
         INSERT INTO favourite_songs (user_id, song_id) VALUES ('alice', '{SONG}');
         INSERT INTO playlists (id, owner, name) VALUES ('{PLAYLIST}', 'alice', 'Mix');
         INSERT INTO playlist_songs (playlist_id, position, song_id)
         VALUES ('{PLAYLIST}', 1, '{SONG}'), ('{PLAYLIST}', 2, '{OTHER}');
         INSERT INTO play_queues (user_id, current_song) VALUES ('alice', '{SONG}');
         INSERT INTO play_queue_songs (user_id, position, song_id) VALUES ('alice', 1, '{SONG}');"
    );
    sqlx::raw_sql(&setup).execute(&pool).await.expect("a library");
    let before = (song_row(&pool, SONG).await, song_row(&pool, OTHER).await);

    sqlx::migrate!("./migrations")
        .run(&pool)
        .await
        .expect("the rebuild");

    assert_eq!(
        (song_row(&pool, SONG).await, song_row(&pool, OTHER).await),
        before
    );
    let found = count(
        &pool,
        "SELECT count(*) FROM songs
         WHERE search_vector @@ to_tsquery('simple', 'joga') AND search_text LIKE 'joga bjork%'",
    )
    .await;
    assert_eq!(found, 1, "found by its words and its search text");
    assert_eq!(count(&pool, "SELECT count(*) FROM song_sources").await, 2);
    // The references hold again: removing the song removes it everywhere.
    sqlx::query("DELETE FROM songs WHERE id = $1::uuid")
        .bind(SONG)
        .execute(&pool)
        .await
        .expect("deleting");
    assert_eq!(count(&pool, "SELECT count(*) FROM favourite_songs").await, 0);
    assert_eq!(count(&pool, "SELECT count(*) FROM playlist_songs").await, 1);
    assert_eq!(count(&pool, "SELECT count(*) FROM play_queue_songs").await, 0);
    let current = count(&pool, "SELECT count(current_song) FROM play_queues").await;
    assert_eq!(current, 0, "the queue no longer points at it");
    // And a song can no longer be listed twice under one path.
    let twice = sqlx::query(
        "INSERT INTO songs (id, kind, path, file_name, title, artist, album, album_id, album_artist,
                            year_sort, duration_sort, title_sort, artist_sort, album_sort,
                            search_text, search_vector)
         VALUES (gen_random_uuid(), 'local', '/music/bachelorette.flac', 'b.flac', 'B', 'B', 'B',
                 $1::uuid, 'B', 0, 0, 'b', 'b', 'b', 'b b b', to_tsvector('simple', 'b b b'))",
    )
    .bind(ALBUM)
    .execute(&pool)
    .await
    .expect_err("a second song at one path is refused");
    let code = twice.as_database_error().and_then(|error| error.code());
    assert_eq!(code.as_deref(), Some("23505"), "{twice}");
}
