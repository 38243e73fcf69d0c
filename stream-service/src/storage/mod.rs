//! Storage: `open(source, request) -> (metadata, byte stream)`, with a
//! backend per kind of source. Backends never hold a whole file in memory.

mod body;
pub mod local;
pub mod mime;
mod open_files;
mod origin_log;
pub mod remote;

use std::{future::Future, io, pin::Pin, time::SystemTime};

use actix_web::web::Bytes;
use futures_util::Stream;

use crate::{
    conditional::{Conditions, Validators},
    ranges::RangeSpec,
    sources::Source,
};

pub use local::LocalStorage;
pub use remote::RemoteStorage;

/// The bytes of a song as they arrive; a failure mid-way ends the response.
pub type ByteStream = Pin<Box<dyn Stream<Item = Result<Bytes, io::Error>> + Send>>;

/// What the client asked for besides the song itself.
#[derive(Debug, Clone, Default)]
pub struct ReadRequest {
    /// The client's single byte range, when it sent a valid one.
    pub range: Option<RangeSpec>,
    pub conditions: Conditions,
    /// The raw conditional headers, for backends that forward them.
    pub raw_conditions: Vec<(&'static str, String)>,
    /// A `HEAD`: the body will not be sent, so none is read ahead.
    pub head_only: bool,
}

/// What a backend knows about the representation it serves.
///
/// It holds no content type: what a response says it carries is decided
/// once, from the catalog's row, by [`mime::served_type`].
#[derive(Debug, Clone, Default)]
pub struct Metadata {
    /// Total size of the representation, when known.
    pub size: Option<u64>,
    pub validators: Validators,
    /// The `Last-Modified` value to send (backends may relay it verbatim).
    pub last_modified: Option<SystemTime>,
    /// Whether byte ranges of it can be asked for (`Accept-Ranges: bytes`).
    pub ranges: bool,
}

/// The outcome of a read, mirroring the HTTP status it maps to.
pub enum Body {
    /// 200: the whole representation.
    Full(ByteStream),
    /// 206: bytes `first..=last` of it.
    Partial {
        first: u64,
        last: u64,
        stream: ByteStream,
    },
    /// 304: the client's copy is current.
    NotModified,
    /// 416: the range lies outside the representation.
    Unsatisfiable,
}

/// An opened source.
pub struct Opened {
    pub meta: Metadata,
    pub body: Body,
}

/// Why a source could not be read.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// The file is gone or unreadable since the catalog scanned it.
    #[error("the source file is missing or unreadable")]
    Missing,
    /// The file resolves outside every music folder (a symlink that
    /// escapes, a row changed behind the catalog's back).
    #[error("the source lies outside the music folders")]
    Outside,
    /// The remote origin failed; `status` when it answered at all.
    #[error("the origin failed: {reason}")]
    Origin { status: Option<u16>, reason: String },
    /// This kind of source cannot be served by this instance.
    #[error("{0}")]
    Unsupported(&'static str),
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

/// A place song bytes come from.
pub trait Storage {
    /// Opens `source` for `request`, answering conditions and range itself
    /// (so a remote backend can hand them to its origin).
    fn open(
        &self,
        source: &Source,
        request: &ReadRequest,
    ) -> impl Future<Output = Result<Opened, StorageError>> + Send;
}

/// Applies conditions and range to a representation whose metadata is
/// known, for backends that do not delegate them. `stream(first, len)`
/// produces the bytes.
pub fn answer(meta: Metadata, request: &ReadRequest, stream: impl FnOnce(u64, u64) -> ByteStream) -> Opened {
    let size = meta.size.unwrap_or(0);
    let body = if request.conditions.not_modified(&meta.validators) {
        Body::NotModified
    } else {
        match request
            .range
            .filter(|_| request.conditions.range_applies(&meta.validators))
        {
            None => Body::Full(stream(0, size)),
            Some(range) => match range.resolve(size) {
                Some((first, last)) => Body::Partial {
                    first,
                    last,
                    stream: stream(first, last - first + 1),
                },
                None => Body::Unsatisfiable,
            },
        }
    };
    Opened { meta, body }
}
