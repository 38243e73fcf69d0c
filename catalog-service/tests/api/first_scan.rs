//! A first scan into an empty catalog: songs copied in, the sort and search
//! indexes built once at its end, and everything listed and searchable
//! when it reports done.

use sqlx::PgPool;

use crate::{
    audio::{Tags, make},
    helpers::{TestApp, spawn_app},
};

/// Enough files for a first scan to defer its indexes.
const FILES: usize = 1_200;

/// The indexes of songs, albums and artists, by name.
async fn indexes(pool: &PgPool) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT indexname FROM pg_indexes
         WHERE schemaname = current_schema() AND tablename IN ('songs', 'albums', 'artists')
         ORDER BY indexname",
    )
    .fetch_all(pool)
    .await
    .expect("listing indexes")
}

/// The ids (`pg_class` oids) of the indexes songs, albums and artists
/// may go without while a first scan loads: an index built again has a
/// new one.
async fn deferrable_index_ids(pool: &PgPool) -> Vec<(String, i64)> {
    sqlx::query_as(
        "SELECT c.relname::text, c.oid::bigint
         FROM pg_index x
         JOIN pg_class c ON c.oid = x.indexrelid
         JOIN pg_class t ON t.oid = x.indrelid
         WHERE t.relnamespace = current_schema()::regnamespace
           AND t.relname IN ('songs', 'albums', 'artists') AND NOT x.indisunique
         ORDER BY 1",
    )
    .fetch_all(pool)
    .await
    .expect("listing index ids")
}

/// A library of `FILES` copies of one untitled file (each titled by its
/// name) and one tagged song.
async fn large_library() -> TestApp {
    let app = spawn_app().await;
    let dir = app.music.path();
    let untitled = make(
        dir,
        "template/untitled.mp3",
        &Tags {
            artist: Some("Copy Artist"),
            album: Some("Copies"),
            seconds: 1.0,
            ..Tags::default()
        },
    );
    for n in 1..FILES {
        let folder = dir.join(format!("copies/{:02}", n / 100));
        std::fs::create_dir_all(&folder).expect("a folder");
        std::fs::copy(&untitled, folder.join(format!("Copy {n:04}.mp3"))).expect("a copy");
    }
    make(
        dir,
        "tagged/björk.flac",
        &Tags::song("Jóga", "Björk", "Homogenic"),
    );
    app
}

#[tokio::test]
async fn a_large_first_scan_lists_and_finds_every_song_when_done() {
    let app = large_library().await;
    let before = indexes(&app.app.pool).await;
    let ids_before = deferrable_index_ids(&app.app.pool).await;
    let progress = app.scan().await;
    assert_eq!(progress["state"], "finished", "{progress}");
    assert_eq!(progress["done"], FILES + 1, "{progress}");
    assert_eq!(indexes(&app.app.pool).await, before, "every index is back");
    let ids_after = deferrable_index_ids(&app.app.pool).await;
    assert!(
        ids_before.iter().all(|index| !ids_after.contains(index)),
        "every deferrable index was built again: {ids_before:?} then {ids_after:?}"
    );
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM songs")
        .fetch_one(&app.app.pool)
        .await
        .expect("counting");
    assert_eq!(count, FILES as i64 + 1);
    let found = app.get_json("search?q=joga").await;
    assert_eq!(found["songs"][0]["title"], "Jóga", "{found}");
    let copy = app.get_json("search?q=copy%200777").await;
    assert_eq!(copy["songs"][0]["title"], "Copy 0777", "{copy}");
    let album = app.get_json("search?q=copies").await;
    assert_eq!(album["albums"][0]["name"], "Copies", "{album}");
    // A second scan finds every file known and unchanged.
    let again = app.scan().await;
    assert_eq!(again["skipped"], FILES + 1, "{again}");
}

#[tokio::test]
async fn indexes_a_stopped_first_scan_left_deferred_are_built_again() {
    let app = large_library().await;
    let before = indexes(&app.app.pool).await;
    // What a first scan leaves when it stops between dropping and building.
    let dropped = catalog_service::store::bulk::defer_indexes(&app.app.pool)
        .await
        .expect("deferring");
    assert!(dropped > 10, "{dropped} indexes deferred");
    assert!(indexes(&app.app.pool).await.len() < before.len());
    app.app
        .scanner
        .restore_deferred_indexes()
        .await
        .expect("building them again");
    assert_eq!(indexes(&app.app.pool).await, before);
    let progress = app.scan().await;
    assert_eq!(progress["done"], FILES + 1, "{progress}");
    assert_eq!(indexes(&app.app.pool).await, before);
}

#[tokio::test]
async fn a_small_first_scan_keeps_its_indexes() {
    let app = spawn_app().await;
    make(
        app.music.path(),
        "tagged/björk.flac",
        &Tags::song("Jóga", "Björk", "Homogenic"),
    );
    let ids_before = deferrable_index_ids(&app.app.pool).await;
    let progress = app.scan().await;
    assert_eq!(progress["done"], 1, "{progress}");
    assert_eq!(deferrable_index_ids(&app.app.pool).await, ids_before);
    let found = app.get_json("search?q=joga").await;
    assert_eq!(found["songs"][0]["title"], "Jóga", "{found}");
}

/// Titles, artists and albums whose folding depends on the database's
/// rules or on where a letter stands: a final sigma, a dotted capital I,
/// ligatures, a combining accent, a German sharp s.
const HARD_TO_FOLD: &[(&str, &str, &str)] = &[
    ("ΟΔΟΣ", "ΣΩΣ", "Ἀθῆναι"),
    ("İstanbul", "Ærøskøbing", "Straße"),
    ("Cafe\u{301} Noir", "ﬁve Œuvres", "Ǆemal"),
    ("Plain Title", "Plain Artist", "Plain Album"),
];

/// Songs whose stored sort keys, search text or full-text vector differ
/// from what the database's `search_fold` makes of their title, artist
/// and album.
async fn songs_with_stale_keys(pool: &PgPool) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT title FROM songs
         WHERE year_sort <> coalesce(year, 0)
            OR duration_sort <> coalesce(duration_ms, 0)
            OR title_sort <> search_fold(title)
            OR artist_sort <> search_fold(artist)
            OR album_sort <> search_fold(album)
            OR search_text <> search_fold(title || ' ' || artist || ' ' || album)
            OR search_vector <> to_tsvector('simple', search_fold(title || ' ' || artist || ' ' || album))",
    )
    .fetch_all(pool)
    .await
    .expect("comparing keys")
}

#[tokio::test]
async fn songs_are_sorted_and_found_by_the_databases_own_folding() {
    let app = spawn_app().await;
    for (n, (title, artist, album)) in HARD_TO_FOLD.iter().enumerate() {
        make(
            app.music.path(),
            &format!("folded/{n}.flac"),
            &Tags::song(title, artist, album),
        );
    }
    let progress = app.scan().await;
    assert_eq!(progress["done"], HARD_TO_FOLD.len(), "{progress}");
    assert_eq!(songs_with_stale_keys(&app.app.pool).await, Vec::<String>::new());
    let cafe = app.get_json("search?q=cafe%20noir").await;
    assert_eq!(cafe["songs"][0]["title"], "Cafe\u{301} Noir", "{cafe}");
    let sigma = app.get_json("search?q=%CE%BF%CE%B4%CE%BF%CF%82").await; // "οδος"
    assert_eq!(sigma["songs"][0]["title"], "ΟΔΟΣ", "{sigma}");

    // A changed file is written again by the other path, an upsert.
    let changed = make(
        app.music.path(),
        "folded/3.flac",
        &Tags::song("Ünïcode Títle", "Plain Artist", "Plain Album"),
    );
    let later = std::time::SystemTime::now() + std::time::Duration::from_secs(3600);
    std::fs::File::options()
        .write(true)
        .open(&changed)
        .and_then(|file| file.set_modified(later))
        .expect("moving the file's time on");
    let again = app.scan().await;
    assert_eq!(again["state"], "finished", "{again}");
    assert_eq!(songs_with_stale_keys(&app.app.pool).await, Vec::<String>::new());
    let unicode = app.get_json("search?q=unicode%20title").await;
    assert_eq!(unicode["songs"][0]["title"], "Ünïcode Títle", "{unicode}");
}

#[tokio::test]
async fn a_database_folding_ascii_its_own_way_folds_every_text_itself() {
    let app = spawn_app().await;
    // What a Turkish locale's lower-casing does to a capital I.
    sqlx::raw_sql(
        "CREATE OR REPLACE FUNCTION search_fold(value text) RETURNS text
             LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE STRICT
             AS $$ BEGIN RETURN lower(replace(public.unaccent('public.unaccent'::regdictionary, value), 'I', 'ı')); END $$",
    )
    .execute(&app.app.pool)
    .await
    .expect("a database of its own");
    make(
        app.music.path(),
        "imagine.flac",
        &Tags::song("Imagine", "John Lennon", "Imagine"),
    );
    let progress = app.scan().await;
    assert_eq!(progress["done"], 1, "{progress}");
    assert_eq!(songs_with_stale_keys(&app.app.pool).await, Vec::<String>::new());
    let title: String = sqlx::query_scalar("SELECT title_sort FROM songs")
        .fetch_one(&app.app.pool)
        .await
        .expect("a song");
    assert_eq!(title, "ımagine");
}
