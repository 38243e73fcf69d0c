//! The real stream-service (release binary) serving a real 1 GiB file from
//! a temporary folder, the song registered the way the catalog publishes
//! it: a row in `song_sources` (here a table in a schema of the benchmark's
//! own, created and dropped with `psql`).

use std::{
    io::Write as _,
    path::{Path, PathBuf},
    process::Stdio,
};

use crate::Result;

/// The song id the file is registered under.
pub const SONG: &str = "00000000-0000-4000-8000-000000000b16";

/// A running stream-service; dropping it stops it and removes its schema
/// and folder.
pub struct StreamService {
    pub url: String,
    pub pid: Option<u32>,
    dir: PathBuf,
    schema: String,
    database_url: String,
    _child: tokio::process::Child,
}

/// Writes a `size`-byte file of pseudo-random bytes, registers it and starts
/// `binary` on a free port.
pub async fn start(binary: &Path, size: u64, token: &str) -> Result<StreamService> {
    let id = std::process::id();
    let dir = std::env::temp_dir().join(format!("tonearm-bench-gateway-{id}"));
    std::fs::create_dir_all(&dir)?;
    let file = dir.join("song.flac");
    write_random_file(&file, size)?;
    let database_url = database_url();
    let schema = format!("bench_gateway_stream_{id}");
    psql(
        &database_url,
        &format!(
            "CREATE SCHEMA {schema}; \
             CREATE TABLE {schema}.song_sources (song_id uuid PRIMARY KEY, kind text NOT NULL, path text, url text, \
               file_name text NOT NULL, content_type text, size_bytes bigint, modified_at timestamptz, duration_ms bigint); \
             INSERT INTO {schema}.song_sources (song_id, kind, path, file_name, content_type, size_bytes) \
               VALUES ('{SONG}', 'local', '{}', 'song.flac', 'audio/flac', {size});",
            file.display()
        ),
    )?;
    let port = crate::free_port()?;
    let child = tokio::process::Command::new(binary)
        .env("TONEARM_STREAM_PORT", port.to_string())
        .env("TONEARM_DATABASE_URL", &database_url)
        .env("TONEARM_DATABASE_SCHEMA", &schema)
        .env("TONEARM_MUSIC_DIRS", &dir)
        .env("TONEARM_INTERNAL_TOKEN", token)
        .env("TONEARM_LOG", "warn")
        .env("TONEARM_LOG_FORMAT", "json")
        .stdout(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .map_err(|error| format!("starting {}: {error}", binary.display()))?;
    let service = StreamService {
        url: format!("http://127.0.0.1:{port}"),
        pid: child.id(),
        dir,
        schema,
        database_url,
        _child: child,
    };
    crate::wait_until_up(&service.url, "/readyz", "stream-service").await?;
    // Read the file once so both runs read it from the page cache.
    std::io::copy(&mut std::fs::File::open(&file)?, &mut std::io::sink())?;
    Ok(service)
}

/// PostgreSQL, as the services reach it.
pub fn database_url() -> String {
    std::env::var("TONEARM_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/tonearm".into())
}

/// xorshift64 bytes: incompressible, and written faster than /dev/urandom.
fn write_random_file(path: &Path, size: u64) -> Result {
    let mut out = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(path)?);
    let mut state = 0x9E37_79B9_7F4A_7C15_u64;
    let mut block = vec![0_u8; 1 << 20];
    let mut left = size;
    while left > 0 {
        for word in block.chunks_exact_mut(8) {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            word.copy_from_slice(&state.to_le_bytes());
        }
        let n = left.min(block.len() as u64) as usize;
        out.write_all(&block[..n])?;
        left -= n as u64;
    }
    out.flush()?;
    Ok(())
}

pub fn psql(database_url: &str, sql: &str) -> Result {
    let status = std::process::Command::new("psql")
        .args([database_url, "-q", "-v", "ON_ERROR_STOP=1", "-c", sql])
        .env("PGOPTIONS", "--client-min-messages=warning")
        .stdout(Stdio::null())
        .status()
        .map_err(|error| format!("running psql (apt-get install -y postgresql-client): {error}"))?;
    if !status.success() {
        return Err(format!("psql failed ({status}) on: {sql}").into());
    }
    Ok(())
}

impl Drop for StreamService {
    fn drop(&mut self) {
        let _ = psql(
            &self.database_url,
            &format!("DROP SCHEMA IF EXISTS {} CASCADE", self.schema),
        );
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
