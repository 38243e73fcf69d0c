//! The full-text vectors the service makes are the ones PostgreSQL makes.

use catalog_service::store::tsvector;
use common::test_support::isolated_settings;

/// PostgreSQL's binary `to_tsvector('simple', text)` of each text.
async fn made_by_postgresql(texts: &[String]) -> Vec<Vec<u8>> {
    let (settings, _) = isolated_settings();
    let pool = common::db::lazy_pool(&settings.database, 1).expect("a pool");
    sqlx::query_scalar(
        "SELECT array_agg(tsvectorsend(to_tsvector('simple', text)) ORDER BY n)
         FROM unnest($1::text[]) WITH ORDINALITY AS t(text, n)",
    )
    .bind(texts)
    .fetch_one(&pool)
    .await
    .expect("vectors")
}

/// Texts of words from a small alphabet, so that words repeat, start with
/// digits, mix letters and digits, and spaces come in runs.
fn texts() -> Vec<String> {
    const ALPHABET: &[u8] = b"ab0z19  e xe0dfkl 5 oq";
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut texts: Vec<String> = (0..20_000)
        .map(|_| {
            let len = (next() % 48) as usize;
            (0..len)
                .map(|_| ALPHABET[(next() % ALPHABET.len() as u64) as usize] as char)
                .collect()
        })
        .collect();
    texts.extend([
        String::new(),
        "song 500 bjork artist 0006 daylight album 2 of 0006".into(),
        "1e5 2pac mp3 0x1f 1st e5 9e 007 12345678901234567890".into(),
        "a ".repeat(255),
        "a ".repeat(256),
        format!("{} b", "x".repeat(2046)),
        "w ".repeat(16_383) + "last",
        "w ".repeat(10) + &"v ".repeat(16_400),
    ]);
    texts
}

#[tokio::test]
async fn vectors_made_by_the_service_are_postgresqls_byte_for_byte() {
    let texts = texts();
    let expected = made_by_postgresql(&texts).await;
    let mut made = 0;
    for (text, expected) in texts.iter().zip(&expected) {
        if let Some(vector) = tsvector::simple(text) {
            made += 1;
            assert_eq!(&vector, expected, "{text:?}");
        }
    }
    assert!(
        made > texts.len() * 3 / 4,
        "only {made} of {} made by the service",
        texts.len()
    );
}
