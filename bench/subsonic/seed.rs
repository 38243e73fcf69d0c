//! The benchmark's library: synthetic songs written straight into the
//! fresh schema with the catalog's own batch writer (no files to scan), and
//! one real file for the stream runs.

use std::io::Write as _;

use catalog_service::{
    domain::{NewSong, SongKind, ids},
    store::write::upsert_songs,
};

use crate::{Result, schema, services::System};

/// Words titles are made of, so searches find some songs and not others.
pub const WORDS: &[&str] = &[
    "ocean", "breathe", "yellow", "river", "night", "fire", "garden", "silver", "thunder", "echo", "velvet",
    "harbor", "meadow", "shadow", "crystal", "summer",
];

/// Songs per artist and per album.
const PER_ARTIST: usize = 50;
const PER_ALBUM: usize = 10;

/// Writes `count` synthetic songs and one real song of `mib` MiB (the one
/// returned, by id), then analyses the tables.
pub async fn songs(system: &System, count: usize, mib: u64) -> Result<String> {
    let pool = schema::pool(&system.schema).await?;
    let numbers: Vec<usize> = (0..count).collect();
    for batch in numbers.chunks(2_000) {
        let rows: Vec<NewSong> = batch.iter().map(|&n| synthetic(n)).collect();
        upsert_songs(&pool, &rows).await?;
    }
    let real = real_song(&system.music, mib)?;
    let id = real.id.to_string();
    upsert_songs(&pool, &[real]).await?;
    sqlx::query("ANALYZE").execute(&pool).await?;
    Ok(id)
}

fn synthetic(n: usize) -> NewSong {
    let artist = n / PER_ARTIST;
    let url = format!("http://bench.invalid/{n}.mp3");
    let mut song = NewSong {
        id: ids::remote_song_id(&url),
        kind: SongKind::Remote,
        url: Some(url),
        file_name: format!("{n}.mp3"),
        title: format!("Song {n} {}", WORDS[n % WORDS.len()]),
        track_number: Some((n % PER_ALBUM) as i32 + 1),
        year: Some(1960 + (artist % 60) as i32),
        genres: vec![["Rock", "Jazz", "Pop", "Folk"][artist % 4].into()],
        duration_ms: Some(180_000 + (n % 120) as i64 * 1000),
        ..NewSong::default()
    };
    song.set_credits(
        vec![format!("Artist {artist:05} {}", WORDS[artist % WORDS.len()])],
        Some(format!(
            "Album {} {}",
            n / PER_ALBUM,
            WORDS[(n / PER_ALBUM) % WORDS.len()]
        )),
        None,
    );
    song
}

/// A file of incompressible bytes in the music folder, as a local song.
fn real_song(music: &std::path::Path, mib: u64) -> Result<NewSong> {
    let path = music.join("stream.mp3");
    let mut out = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(&path)?);
    let mut state = 0x9E37_79B9_7F4A_7C15_u64;
    let mut block = vec![0_u8; 1 << 20];
    for _ in 0..mib {
        for word in block.chunks_exact_mut(8) {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            word.copy_from_slice(&state.to_le_bytes());
        }
        out.write_all(&block)?;
    }
    out.flush()?;
    let size = i64::try_from(mib * (1 << 20))?;
    let mut song = NewSong {
        id: ids::local_song_id(&path),
        kind: SongKind::Local,
        path: Some(path.display().to_string()),
        file_name: "stream.mp3".into(),
        content_type: Some("audio/mpeg".into()),
        size_bytes: Some(size),
        modified_at: Some(chrono::Utc::now()),
        title: "Stream Test".into(),
        duration_ms: Some(600_000),
        ..NewSong::default()
    };
    song.set_credits(vec!["Bench".into()], Some("Bench".into()), None);
    Ok(song)
}
