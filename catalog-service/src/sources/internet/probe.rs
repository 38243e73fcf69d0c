//! Fetching a source URL and telling what it is: audio, playlist or feed,
//! by content type, file name and the first bytes.

use common::fetch::Fetcher;
use reqwest::{
    Response, StatusCode,
    header::{self, HeaderMap, HeaderValue},
};
use url::Url;

use super::{error::SourceError, feed::looks_like_feed, playlist::looks_like_playlist};
use crate::sources::local::tags::AUDIO_EXTENSIONS;

/// Bytes of an audio file read for its tags.
pub const AUDIO_HEAD_BYTES: usize = 256 * 1024;

pub use crate::domain::source::Validators;

/// What the URL answered.
#[derive(Debug)]
pub enum Fetched {
    NotModified,
    Audio {
        head: Vec<u8>,
        complete: bool,
        content_type: Option<String>,
        length: Option<u64>,
    },
    Playlist(String),
    Feed(Vec<u8>),
}

/// GETs `url` (conditionally when validators are known) and classifies it.
pub async fn fetch(
    fetcher: &Fetcher,
    url: &Url,
    known: &Validators,
) -> Result<(Fetched, Validators), SourceError> {
    let work = async {
        let path = url.path().to_ascii_lowercase();
        let mut headers = conditional_headers(known);
        // A URL named like an audio file is asked for its head only; a
        // server that ignores the range answers 200 and the head is read off
        // the whole body.
        if has_ext(&path, AUDIO_EXTENSIONS) {
            headers.insert(header::RANGE, HeaderValue::from_static(HEAD_RANGE));
        }
        let mut response = fetcher.get(url, headers).await?;
        if response.status() == StatusCode::NOT_MODIFIED {
            return Ok((Fetched::NotModified, known.clone()));
        }
        let validators = Validators {
            etag: header_text(&response, header::ETAG),
            last_modified: header_text(&response, header::LAST_MODIFIED),
        };
        let content_type = header_text(&response, header::CONTENT_TYPE)
            .map(|value| value.split(';').next().unwrap_or("").trim().to_ascii_lowercase());
        let length = full_length(&response);
        let mut head = Vec::new();
        let complete = read_up_to(&mut response, &mut head, 512, url).await?;
        let text_head = String::from_utf8_lossy(&head);
        let kind = content_type.as_deref().unwrap_or("");
        let max = fetcher.policy().max_bytes as usize;
        let fetched = if is_playlist_type(kind)
            || has_ext(&path, &["m3u", "m3u8", "pls"])
            || looks_like_playlist(&text_head)
        {
            read_all(&mut response, &mut head, complete, max, url).await?;
            Fetched::Playlist(String::from_utf8_lossy(&head).into_owned())
        } else if is_feed_type(kind) || looks_like_feed(&text_head) {
            read_all(&mut response, &mut head, complete, max, url).await?;
            Fetched::Feed(head)
        } else if is_audio_type(kind) || looks_like_audio(&head) {
            let complete = complete || read_up_to(&mut response, &mut head, AUDIO_HEAD_BYTES, url).await?;
            // A partial answer ends with the range, not with the file.
            let complete = complete && length.is_none_or(|length| head.len() as u64 >= length);
            Fetched::Audio {
                head,
                complete,
                content_type,
                length,
            }
        } else {
            return Err(SourceError::Unsupported(format!(
                "{url} is neither audio, a playlist nor a feed (content type {})",
                content_type.as_deref().unwrap_or("unknown")
            )));
        };
        Ok((fetched, validators))
    };
    tokio::time::timeout(fetcher.policy().timeout, work)
        .await
        .map_err(|_| SourceError::Unreachable(format!("{url}: no complete answer in time")))?
}

fn conditional_headers(known: &Validators) -> HeaderMap {
    let mut headers = HeaderMap::new();
    if let Some(etag) = known.etag.as_deref().and_then(|v| HeaderValue::from_str(v).ok()) {
        headers.insert(header::IF_NONE_MATCH, etag);
    }
    if let Some(date) = known
        .last_modified
        .as_deref()
        .and_then(|v| HeaderValue::from_str(v).ok())
    {
        headers.insert(header::IF_MODIFIED_SINCE, date);
    }
    headers
}

/// The `Range` of the first [`AUDIO_HEAD_BYTES`].
const HEAD_RANGE: &str = "bytes=0-262143";
const _: () = assert!(
    AUDIO_HEAD_BYTES == 262_144,
    "HEAD_RANGE names the head's last byte"
);

/// The length of the whole file: the total of a 206's `Content-Range`
/// (`bytes 0-262143/5242880`), else the body's length.
fn full_length(response: &Response) -> Option<u64> {
    if response.status() != StatusCode::PARTIAL_CONTENT {
        return response.content_length();
    }
    let range = response.headers().get(header::CONTENT_RANGE)?.to_str().ok()?;
    range.rsplit_once('/')?.1.trim().parse().ok()
}

fn header_text(response: &Response, name: header::HeaderName) -> Option<String> {
    response.headers().get(name)?.to_str().ok().map(str::to_owned)
}

/// Reads until `buffer` holds `limit` bytes or the body ends; `true` when it ended.
async fn read_up_to(
    response: &mut Response,
    buffer: &mut Vec<u8>,
    limit: usize,
    url: &Url,
) -> Result<bool, SourceError> {
    while buffer.len() < limit {
        match response.chunk().await {
            Ok(Some(chunk)) => buffer.extend_from_slice(&chunk),
            Ok(None) => return Ok(true),
            Err(error) => return Err(SourceError::Unreachable(format!("{url}: {error}"))),
        }
    }
    Ok(false)
}

async fn read_all(
    response: &mut Response,
    buffer: &mut Vec<u8>,
    complete: bool,
    max: usize,
    url: &Url,
) -> Result<(), SourceError> {
    let ended = complete || read_up_to(response, buffer, max + 1, url).await?;
    if !ended || buffer.len() > max {
        return Err(SourceError::TooLarge(format!(
            "{url}: the body is larger than {max} bytes"
        )));
    }
    Ok(())
}

fn has_ext(path: &str, exts: &[&str]) -> bool {
    path.rsplit_once('.').is_some_and(|(_, ext)| exts.contains(&ext))
}

fn is_playlist_type(kind: &str) -> bool {
    matches!(
        kind,
        "audio/x-mpegurl"
            | "audio/mpegurl"
            | "application/x-mpegurl"
            | "application/vnd.apple.mpegurl"
            | "audio/x-scpls"
    )
}

fn is_feed_type(kind: &str) -> bool {
    matches!(
        kind,
        "application/rss+xml" | "application/atom+xml" | "application/xml" | "text/xml"
    )
}

fn is_audio_type(kind: &str) -> bool {
    (kind.starts_with("audio/") && !is_playlist_type(kind)) || kind == "application/ogg"
}

/// Magic numbers of the audio formats lofty reads.
fn looks_like_audio(head: &[u8]) -> bool {
    head.starts_with(b"ID3")
        || head.starts_with(b"fLaC")
        || head.starts_with(b"OggS")
        || head.get(4..8) == Some(b"ftyp")
        || (head.len() > 1 && head[0] == 0xff && head[1] & 0xe0 == 0xe0)
}
