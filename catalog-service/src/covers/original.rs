//! The original image of a cover: the picture embedded in the audio file,
//! the folder image, or the Internet image, in that order. Files are read
//! only when the opened file lies inside the music folders.

use std::{
    io::{BufReader, Read as _},
    path::Path,
};

use bytes::Bytes;
use common::confine::Roots;
use lofty::{
    config::ParseOptions, file::FileType, picture::PictureType, prelude::TaggedFileExt, probe::Probe,
};
use reqwest::{Url, header::HeaderMap};

use super::{CoverCache, CoverError};
use crate::{domain::Song, redact, sources::local::tags};

/// The largest folder image read, in bytes.
pub const MAX_FOLDER_IMAGE_BYTES: u64 = tags::TAG_ITEM_MAX_BYTES as u64;

impl CoverCache {
    pub(super) async fn original(&self, song: &Song) -> Result<Option<Bytes>, CoverError> {
        if song.embedded_cover
            && let Some(path) = song.path.clone()
        {
            let roots = self.inner.roots.clone();
            let found = tokio::task::spawn_blocking(move || embedded(Path::new(&path), &roots))
                .await
                .map_err(|error| anyhow::anyhow!(error))?;
            if let Some(bytes) = found {
                return Ok(Some(bytes.into()));
            }
        }
        if let Some(path) = song.folder_cover.clone() {
            let roots = self.inner.roots.clone();
            let found = tokio::task::spawn_blocking(move || folder_image(Path::new(&path), &roots))
                .await
                .map_err(|error| anyhow::anyhow!(error))?;
            if let Some(bytes) = found {
                return Ok(Some(bytes.into()));
            }
        }
        if let Some(url) = song.image_url.as_deref().and_then(|url| Url::parse(url).ok()) {
            match self.inner.fetcher.get_bytes(&url, HeaderMap::new()).await {
                Ok((_, _, bytes)) => return Ok(Some(bytes)),
                Err(error) => tracing::warn!(
                    error = redact::urls_in(&error.to_string()),
                    "fetching a cover failed"
                ),
            }
        }
        Ok(None)
    }
}

/// The front cover, else the first picture, of an audio file inside `roots`.
fn embedded(path: &Path, roots: &Roots) -> Option<Vec<u8>> {
    tags::limit_allocations();
    let (file, _) = roots
        .open(path)
        .inspect_err(|error| tracing::warn!(%error, "an embedded cover is not read"))
        .ok()?;
    let reader = BufReader::new(file);
    let probe = match FileType::from_path(path) {
        Some(file_type) => Probe::with_file_type(reader, file_type),
        None => Probe::new(reader).guess_file_type().ok()?,
    };
    let tagged = probe
        .options(ParseOptions::new().read_properties(false))
        .read()
        .ok()?;
    let pictures: Vec<_> = tagged.tags().iter().flat_map(|tag| tag.pictures()).collect();
    pictures
        .iter()
        .find(|picture| picture.pic_type() == PictureType::CoverFront)
        .or_else(|| pictures.first())
        .map(|picture| picture.data().to_vec())
}

/// A folder image inside `roots`, up to [`MAX_FOLDER_IMAGE_BYTES`].
fn folder_image(path: &Path, roots: &Roots) -> Option<Vec<u8>> {
    let (file, _) = roots
        .open(path)
        .inspect_err(|error| tracing::warn!(%error, "a folder image is not read"))
        .ok()?;
    let mut bytes = Vec::new();
    file.take(MAX_FOLDER_IMAGE_BYTES + 1)
        .read_to_end(&mut bytes)
        .ok()?;
    if bytes.len() as u64 > MAX_FOLDER_IMAGE_BYTES {
        tracing::warn!(path = %path.display(), "a folder image is too large to read");
        return None;
    }
    Some(bytes)
}
