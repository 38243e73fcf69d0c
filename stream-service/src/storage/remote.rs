//! HTTP origins (Internet songs, podcast episodes), fetched through the
//! SSRF-safe [`Fetcher`]: the client's range and conditions are forwarded,
//! the origin's answer relayed as a stream. Its `Content-Type` is not: an
//! origin may answer HTML one day, and the bytes go out under Tonearm's
//! origin (see [`super::mime`]).

use std::{io, str::FromStr as _};

use actix_web::http::header::{EntityTag, HttpDate};
use common::fetch::{FetchError, Fetcher};
use futures_util::TryStreamExt as _;
use reqwest::{
    StatusCode,
    header::{self, HeaderMap, HeaderName, HeaderValue},
};

use super::{Body, Metadata, Opened, ReadRequest, Storage, StorageError, origin_log};
use crate::{conditional::Validators, metrics::StreamMetrics, sources::Source};

/// Streams remote sources; connections are pooled by the fetcher.
#[derive(Clone)]
pub struct RemoteStorage {
    fetcher: Fetcher,
    metrics: StreamMetrics,
}

impl RemoteStorage {
    pub fn new(fetcher: Fetcher, metrics: StreamMetrics) -> Self {
        Self { fetcher, metrics }
    }

    fn failed(&self, error: FetchError) -> StorageError {
        let (kind, status) = match &error {
            FetchError::Status { status, .. } => ("status", Some(status.as_u16())),
            FetchError::Timeout { .. } => ("timeout", None),
            FetchError::Connect { .. } => ("connect", None),
            FetchError::Refused { .. } => ("refused", None),
            FetchError::TooManyRedirects { .. } => ("redirects", None),
            FetchError::TooLarge { .. } | FetchError::Policy(_) => ("other", None),
        };
        self.metrics.origin_error(kind);
        tracing::warn!(kind, error = %origin_log::describe(&error), "origin failed");
        StorageError::Origin {
            status,
            reason: describe(&error),
        }
    }
}

/// A sentence for clients that names what went wrong without the URL
/// (which may carry credentials or private addresses).
fn describe(error: &FetchError) -> String {
    match error {
        FetchError::Status { status, .. } => format!("it answered {status}"),
        FetchError::Timeout { .. } => "it did not answer in time".into(),
        FetchError::Connect { .. } => "the connection failed".into(),
        FetchError::Refused { .. } => "its address is not allowed".into(),
        FetchError::TooManyRedirects { max, .. } => format!("it redirected more than {max} times"),
        FetchError::TooLarge { .. } | FetchError::Policy(_) => "it could not be fetched".into(),
    }
}

impl Storage for RemoteStorage {
    async fn open(&self, source: &Source, request: &ReadRequest) -> Result<Opened, StorageError> {
        let crate::sources::Location::Remote(url) = &source.location else {
            return Err(StorageError::Unsupported("not a remote source"));
        };
        let response = match self.fetcher.get(url, forwarded(request)).await {
            Ok(response) => response,
            Err(FetchError::Status { status, .. }) if status == StatusCode::RANGE_NOT_SATISFIABLE => {
                let meta = Metadata {
                    size: source.size,
                    ..Metadata::default()
                };
                return Ok(Opened {
                    meta,
                    body: Body::Unsatisfiable,
                });
            }
            Err(error) => return Err(self.failed(error)),
        };
        let headers = response.headers().clone();
        let mut meta = metadata(&headers);
        let status = response.status();
        let metrics = self.metrics.clone();
        let stream = Box::pin(response.bytes_stream().map_err(move |error| {
            metrics.origin_error("body");
            // Without the URL: this error may end up in a log.
            io::Error::other(error.without_url())
        }));
        let body = match status {
            StatusCode::OK => {
                meta.size = content_length(&headers);
                Body::Full(stream)
            }
            StatusCode::PARTIAL_CONTENT => {
                let (first, last, total) = content_range(&headers)
                    .ok_or_else(|| self.failed_with("partial answer without a valid Content-Range"))?;
                meta.size = total;
                Body::Partial { first, last, stream }
            }
            StatusCode::NOT_MODIFIED => Body::NotModified,
            other => return Err(self.failed_with(&format!("unexpected status {other}"))),
        };
        Ok(Opened { meta, body })
    }
}

impl RemoteStorage {
    fn failed_with(&self, reason: &str) -> StorageError {
        self.metrics.origin_error("protocol");
        StorageError::Origin {
            status: None,
            reason: format!("it sent an invalid answer ({reason})"),
        }
    }
}

/// The client's range (canonical form) and conditional headers.
fn forwarded(request: &ReadRequest) -> HeaderMap {
    let mut headers = HeaderMap::new();
    // Audio is already compressed; identity keeps lengths and ranges exact.
    headers.insert(header::ACCEPT_ENCODING, HeaderValue::from_static("identity"));
    if let Some(range) = request.range
        && let Ok(value) = HeaderValue::from_str(&range.header_value())
    {
        headers.insert(header::RANGE, value);
    }
    for (name, value) in &request.raw_conditions {
        if let (Ok(name), Ok(value)) = (HeaderName::from_str(name), HeaderValue::from_str(value)) {
            headers.insert(name, value);
        }
    }
    headers
}

/// The validators and range support an origin announced (its
/// `Content-Type` is ignored on purpose).
fn metadata(headers: &HeaderMap) -> Metadata {
    let text = |name: HeaderName| headers.get(name).and_then(|value| value.to_str().ok());
    let modified = text(header::LAST_MODIFIED)
        .and_then(|value| HttpDate::from_str(value).ok())
        .map(Into::into);
    Metadata {
        size: None,
        validators: Validators {
            etag: text(header::ETAG).and_then(|value| EntityTag::from_str(value).ok()),
            modified,
        },
        last_modified: modified,
        ranges: text(header::ACCEPT_RANGES).is_some_and(|value| value.eq_ignore_ascii_case("bytes")),
    }
}

fn content_length(headers: &HeaderMap) -> Option<u64> {
    headers.get(header::CONTENT_LENGTH)?.to_str().ok()?.parse().ok()
}

/// `bytes first-last/total` (total may be `*`).
fn content_range(headers: &HeaderMap) -> Option<(u64, u64, Option<u64>)> {
    let value = headers.get(header::CONTENT_RANGE)?.to_str().ok()?;
    let (range, total) = value.strip_prefix("bytes ")?.split_once('/')?;
    let (first, last) = range.split_once('-')?;
    let (first, last): (u64, u64) = (first.trim().parse().ok()?, last.trim().parse().ok()?);
    let total = match total.trim() {
        "*" => None,
        total => Some(total.parse().ok()?),
    };
    (first <= last).then_some((first, last, total))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_ranges_are_read_strictly() {
        let with = |value: &'static str| {
            let mut headers = HeaderMap::new();
            headers.insert(header::CONTENT_RANGE, HeaderValue::from_static(value));
            content_range(&headers)
        };
        assert_eq!(with("bytes 0-9/100"), Some((0, 9, Some(100))));
        assert_eq!(with("bytes 5-9/*"), Some((5, 9, None)));
        assert_eq!(with("bytes 9-5/100"), None);
        assert_eq!(with("items 0-9/100"), None);
    }
}
