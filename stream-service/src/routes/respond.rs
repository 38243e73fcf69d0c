//! Turning an opened source into the HTTP answer a player expects.

use actix_web::ResponseError as _;
use actix_web::{
    HttpResponse, HttpResponseBuilder,
    body::{BodyStream, SizedStream},
    http::{
        StatusCode,
        header::{
            self, Charset, ContentDisposition, DispositionParam, DispositionType, ExtendedValue, HttpDate,
        },
    },
};
use common::ApiError;
use futures_util::Stream;

use crate::{
    metrics::Metered,
    sources::Source,
    storage::{Body, ByteStream, Metadata, Opened, mime},
    transcode::{TranscodeRequest, TranscodeStream},
};

/// The answer for the original bytes: 200, 206, 304 or 416.
pub fn original(
    opened: Opened,
    source: &Source,
    head: bool,
    download: bool,
    meter: impl FnOnce(ByteStream) -> Metered<ByteStream>,
) -> HttpResponse {
    let Opened { meta, body } = opened;
    let (mut builder, stream, length) = match body {
        Body::Full(stream) => (HttpResponse::Ok(), stream, meta.size),
        Body::Partial { first, last, stream } => {
            let mut builder = HttpResponse::PartialContent();
            let total = meta.size.map_or_else(|| "*".to_owned(), |size| size.to_string());
            builder.insert_header((header::CONTENT_RANGE, format!("bytes {first}-{last}/{total}")));
            (builder, stream, Some(last - first + 1))
        }
        Body::NotModified => {
            let mut builder = HttpResponse::NotModified();
            validators(&mut builder, &meta);
            return builder.finish();
        }
        Body::Unsatisfiable => return unsatisfiable(&meta),
    };
    builder.insert_header((header::ACCEPT_RANGES, if meta.ranges { "bytes" } else { "none" }));
    validators(&mut builder, &meta);
    // The catalog's audio type or octet-stream; never what an origin said.
    builder.insert_header((
        header::CONTENT_TYPE,
        mime::served_type(source.content_type.as_deref(), source.location_path()),
    ));
    if download {
        builder.insert_header(attachment(&source.file_name));
    }
    // HEAD: the same headers, the body stream never read (the file's
    // descriptor is closed right away).
    let stream = if head { None } else { Some(meter(stream)) };
    finish(builder, stream, length)
}

/// The answer for a transcode: always 200, no ranges (the length is unknown
/// until ffmpeg is done).
pub fn transcoded(
    request: &TranscodeRequest,
    source: &Source,
    download: bool,
    output: Option<Metered<TranscodeStream>>,
) -> HttpResponse {
    let mut builder = HttpResponse::Ok();
    builder
        .insert_header((header::CONTENT_TYPE, request.format.content_type()))
        .insert_header((header::ACCEPT_RANGES, "none"))
        .insert_header((header::CACHE_CONTROL, "no-store"));
    if download {
        let stem = source
            .file_name
            .rsplit_once('.')
            .map_or(source.file_name.as_str(), |(stem, _)| stem);
        builder.insert_header(attachment(&format!("{stem}.{}", request.format.extension())));
    }
    match output {
        Some(output) => builder.body(BodyStream::new(output)),
        None => builder.finish(),
    }
}

fn finish<S>(mut builder: HttpResponseBuilder, stream: Option<S>, length: Option<u64>) -> HttpResponse
where
    S: Stream<Item = Result<actix_web::web::Bytes, std::io::Error>> + 'static,
{
    match (stream, length) {
        (Some(stream), Some(length)) => builder.body(SizedStream::new(length, stream)),
        (Some(stream), None) => builder.body(BodyStream::new(stream)),
        (None, Some(length)) => builder.body(SizedStream::new(
            length,
            futures_util::stream::empty::<Result<actix_web::web::Bytes, std::io::Error>>(),
        )),
        (None, None) => builder.finish(),
    }
}

fn validators(builder: &mut HttpResponseBuilder, meta: &Metadata) {
    if let Some(etag) = &meta.validators.etag {
        builder.insert_header(header::ETag(etag.clone()));
    }
    if let Some(modified) = meta.last_modified {
        builder.insert_header(header::LastModified(HttpDate::from(modified)));
    }
}

/// 416 with `Content-Range: bytes */size` and the JSON error body.
fn unsatisfiable(meta: &Metadata) -> HttpResponse {
    let mut response = ApiError::new(
        StatusCode::RANGE_NOT_SATISFIABLE,
        "range_not_satisfiable",
        match meta.size {
            Some(size) => format!("the requested range lies outside the {size} bytes of the song"),
            None => "the requested range lies outside the song".to_owned(),
        },
    )
    .error_response();
    if let Some(size) = meta.size
        && let Ok(value) = header::HeaderValue::from_str(&format!("bytes */{size}"))
    {
        response.headers_mut().insert(header::CONTENT_RANGE, value);
    }
    response
}

/// `attachment; filename="<ASCII fallback>"; filename*=UTF-8''<exact name>`.
fn attachment(file_name: &str) -> ContentDisposition {
    let fallback: String = file_name
        .chars()
        .map(|c| if c.is_ascii_graphic() || c == ' ' { c } else { '_' })
        .map(|c| if matches!(c, '"' | '\\') { '_' } else { c })
        .collect();
    ContentDisposition {
        disposition: DispositionType::Attachment,
        parameters: vec![
            DispositionParam::Filename(fallback),
            DispositionParam::FilenameExt(ExtendedValue {
                charset: Charset::Ext("UTF-8".into()),
                language_tag: None,
                value: file_name.as_bytes().to_vec(),
            }),
        ],
    }
}
