//! Cover art: embedded pictures, folder images or an Internet image,
//! resized once per size and kept on disk.

use std::{
    hash::{Hash, Hasher},
    io::Cursor,
    path::{Path, PathBuf},
};

use anyhow::Context as _;
use bytes::Bytes;
use common::fetch::Fetcher;
use lofty::{config::ParseOptions, picture::PictureType, prelude::TaggedFileExt, probe::Probe};
use reqwest::{Url, header::HeaderMap};

use crate::store::songs::SongRow;

/// Smallest and largest `?size=`.
pub const SIZES: std::ops::RangeInclusive<u32> = 16..=2048;

/// Image bytes with their content type and a validator.
#[derive(Debug, Clone)]
pub struct Cover {
    pub bytes: Bytes,
    pub content_type: &'static str,
    pub etag: String,
}

/// Resizes and caches covers.
#[derive(Clone)]
pub struct CoverCache {
    dir: PathBuf,
    fetcher: Fetcher,
}

impl CoverCache {
    pub fn new(dir: PathBuf, fetcher: Fetcher) -> Self {
        Self { dir, fetcher }
    }

    /// The cover of `song` at `size` (original when `None`), or `None` when
    /// the song has no cover.
    pub async fn cover(&self, song: &SongRow, size: Option<u32>) -> anyhow::Result<Option<Cover>> {
        let identity = identity(song);
        let etag = format!("\"{:016x}\"", hash(&(identity.as_str(), size)));
        let cached = self.dir.join(format!("{}.jpg", etag.trim_matches('"')));
        if size.is_some()
            && let Ok(bytes) = tokio::fs::read(&cached).await
        {
            return Ok(Some(Cover {
                bytes: bytes.into(),
                content_type: "image/jpeg",
                etag,
            }));
        }
        let Some(original) = self.original(song).await? else {
            return Ok(None);
        };
        let Some(size) = size else {
            let content_type = sniff(&original);
            return Ok(Some(Cover {
                bytes: original,
                content_type,
                etag,
            }));
        };
        let resized = tokio::task::spawn_blocking(move || resize(&original, size)).await??;
        tokio::fs::create_dir_all(&self.dir)
            .await
            .context("creating the cover cache")?;
        // Written aside then renamed, so a concurrent reader never sees half a file.
        let partial = cached.with_extension(format!("{}.part", uuid::Uuid::new_v4().simple()));
        tokio::fs::write(&partial, &resized)
            .await
            .context("caching a cover")?;
        tokio::fs::rename(&partial, &cached)
            .await
            .context("caching a cover")?;
        Ok(Some(Cover {
            bytes: resized.into(),
            content_type: "image/jpeg",
            etag,
        }))
    }

    async fn original(&self, song: &SongRow) -> anyhow::Result<Option<Bytes>> {
        if song.embedded_cover
            && let Some(path) = song.path.clone()
            && let Some(bytes) = tokio::task::spawn_blocking(move || embedded(Path::new(&path))).await?
        {
            return Ok(Some(bytes.into()));
        }
        if let Some(path) = &song.folder_cover
            && let Ok(bytes) = tokio::fs::read(path).await
        {
            return Ok(Some(bytes.into()));
        }
        if let Some(url) = song.image_url.as_deref().and_then(|url| Url::parse(url).ok()) {
            match self.fetcher.get_bytes(&url, HeaderMap::new()).await {
                Ok((_, _, bytes)) => return Ok(Some(bytes)),
                Err(error) => tracing::warn!(%error, "fetching a cover failed"),
            }
        }
        Ok(None)
    }
}

/// What the cover depends on: a change of file or image URL changes it.
fn identity(song: &SongRow) -> String {
    format!(
        "{}|{:?}|{:?}|{:?}|{:?}|{}",
        song.id, song.modified_at, song.size_bytes, song.folder_cover, song.image_url, song.embedded_cover
    )
}

fn hash(value: &impl Hash) -> u64 {
    // SipHash with fixed keys: stable across restarts, so ETags stay valid.
    let mut hasher = std::hash::DefaultHasher::new();
    value.hash(&mut hasher);
    hasher.finish()
}

/// The front cover, else the first picture, of an audio file.
fn embedded(path: &Path) -> Option<Vec<u8>> {
    let tagged = Probe::open(path)
        .and_then(|probe| probe.options(ParseOptions::new().read_properties(false)).read())
        .ok()?;
    let pictures: Vec<_> = tagged.tags().iter().flat_map(|tag| tag.pictures()).collect();
    pictures
        .iter()
        .find(|picture| picture.pic_type() == PictureType::CoverFront)
        .or_else(|| pictures.first())
        .map(|picture| picture.data().to_vec())
}

fn sniff(bytes: &[u8]) -> &'static str {
    match image::guess_format(bytes) {
        Ok(image::ImageFormat::Png) => "image/png",
        Ok(image::ImageFormat::Jpeg) => "image/jpeg",
        _ => "application/octet-stream",
    }
}

/// Fits the image in `size`x`size`, as JPEG.
fn resize(bytes: &[u8], size: u32) -> anyhow::Result<Vec<u8>> {
    let image = image::load_from_memory(bytes).context("decoding a cover")?;
    let thumbnail = image.thumbnail(size, size).to_rgb8();
    let mut out = Cursor::new(Vec::new());
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85)
        .encode_image(&thumbnail)
        .context("encoding a cover")?;
    Ok(out.into_inner())
}
