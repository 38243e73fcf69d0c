//! `GET`/`HEAD /api/stream/songs/{id}[?download=1][&format=…&bitrate=…&offset=…]`.

use std::time::Instant;

use actix_web::{HttpMessage as _, HttpRequest, HttpResponse, http::Method, web};
use common::request_id::RequestId;
use serde::Deserialize;

use super::respond;
use crate::{
    conditional::Conditions,
    error::StreamError,
    metrics::StreamMetrics,
    notice::CatalogNotifier,
    ranges::RangeSpec,
    song_id::SongId,
    sources::{Location, Source, SourceRepository},
    storage::{Body, LocalStorage, Opened, ReadRequest, RemoteStorage, Storage as _, mime},
    transcode::{Input, TranscodeRequest, Transcoder},
};

/// Everything the stream routes need, shared by all workers.
pub struct StreamState {
    pub sources: SourceRepository,
    pub local: LocalStorage,
    pub remote: RemoteStorage,
    pub transcoder: Transcoder,
    pub notifier: CatalogNotifier,
    pub metrics: StreamMetrics,
}

/// The query parameters; each is validated where it is used.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StreamQuery {
    /// `1`, `true` or `yes`: answered as an attachment named after the song.
    download: Option<String>,
    /// A transcode instead of the original bytes: `mp3`, `opus` or `aac`.
    format: Option<String>,
    /// Of the transcode, in kbit/s.
    bitrate: Option<String>,
    /// Of the transcode: where it starts, in seconds.
    offset: Option<String>,
}

/// Streams a song's original bytes, or a transcode when `format` is given.
#[utoipa::path(method(get, head), path = "/api/stream/songs/{id}", tag = "stream",
    params(("id" = String, Path, description = "The song id"), StreamQuery),
    responses(
        (status = 200, description = "The song's bytes (original or transcoded)"),
        (status = 206, description = "The requested byte range of the original"),
        (status = 304, description = "Unchanged since the validator sent"),
        (status = 400, description = "A malformed id or parameter"),
        (status = 403, description = "The source's address is refused"),
        (status = 404, description = "No such song, or its file or URL is gone"),
        (status = 416, description = "The range lies outside the file"),
        (status = 502, description = "The remote origin failed"),
        (status = 503, description = "Every transcoder is busy"),
    ))]
#[tracing::instrument(skip_all, fields(song = %id))]
pub async fn stream_song(
    req: HttpRequest,
    id: web::Path<String>,
    query: web::Query<StreamQuery>,
    state: web::Data<StreamState>,
) -> Result<HttpResponse, StreamError> {
    let started = Instant::now();
    let id: SongId = id.parse()?;
    let transcode = TranscodeRequest::from_query(
        query.format.as_deref(),
        query.bitrate.as_deref(),
        query.offset.as_deref(),
    )?;
    let source = state
        .sources
        .find(id)
        .await?
        .ok_or(StreamError::UnknownSong(id))?;
    let download = query
        .download
        .as_deref()
        .is_some_and(|flag| matches!(flag, "1" | "true" | "yes"));
    let result = match transcode {
        Some(transcode) => transcoded(&req, &state, &source, &transcode, download, started).await,
        None => original(&req, &state, &source, download, started).await,
    };
    if let Err(StreamError::SourceMissing(_)) = &result {
        let request_id = req.extensions().get::<RequestId>().map(|id| id.0.clone());
        state.notifier.source_missing(id, request_id);
    }
    result
}

async fn original(
    req: &HttpRequest,
    state: &StreamState,
    source: &Source,
    download: bool,
    started: Instant,
) -> Result<HttpResponse, StreamError> {
    let request = read_request(req);
    let (opened, backend) = match &source.location {
        Location::Local(_) => (state.local.open(source, &request).await, "local"),
        Location::Remote(_) => (state.remote.open(source, &request).await, "remote"),
    };
    let opened = opened.map_err(|error| StreamError::storage(source.id, error))?;
    let head = req.method() == Method::HEAD;
    Ok(respond::original(opened, source, head, download, |stream| {
        state.metrics.meter(backend, started, stream)
    }))
}

async fn transcoded(
    req: &HttpRequest,
    state: &StreamState,
    source: &Source,
    transcode: &TranscodeRequest,
    download: bool,
    started: Instant,
) -> Result<HttpResponse, StreamError> {
    let storage_error = |error| StreamError::storage(source.id, error);
    let row_type = source.content_type.as_deref();
    let input = match &source.location {
        Location::Local(path) => {
            let opened = state.local.open_file(path).await.map_err(storage_error)?;
            Input::File {
                demuxer: mime::demuxer(row_type, &opened.resolved),
                file: opened.file,
            }
        }
        Location::Remote(_) => match state.remote.open(source, &ReadRequest::default()).await {
            Ok(Opened {
                body: Body::Full(stream),
                ..
            }) => Input::Stream {
                stream,
                demuxer: mime::demuxer(row_type, source.location_path()),
            },
            Ok(_) => {
                return Err(StreamError::Origin(format!(
                    "the origin of song {} sent no body",
                    source.id
                )));
            }
            Err(error) => return Err(storage_error(error)),
        },
    };
    // A HEAD learns the headers without costing an ffmpeg process.
    if req.method() == Method::HEAD {
        return Ok(respond::transcoded(transcode, source, download, None));
    }
    let output = state.transcoder.start(input, transcode).await?;
    let metered = state.metrics.meter("transcode", started, output);
    Ok(respond::transcoded(transcode, source, download, Some(metered)))
}

/// The range and conditions of a request, malformed headers dropped.
fn read_request(req: &HttpRequest) -> ReadRequest {
    let header = |name: &'static str| {
        req.headers()
            .get(name)
            .and_then(|value| value.to_str().ok())
            .map(|value| (name, value.to_owned()))
    };
    let range = header("range").and_then(|(_, value)| RangeSpec::parse(&value));
    ReadRequest {
        range,
        conditions: Conditions::from_request(req),
        raw_conditions: ["if-none-match", "if-modified-since", "if-range"]
            .into_iter()
            .filter_map(header)
            .collect(),
        head_only: req.method() == Method::HEAD,
    }
}
