//! The errors of the stream API and their JSON answers.

use actix_web::{
    HttpResponse, ResponseError,
    http::{StatusCode, header},
};
use common::ApiError;

use crate::{
    song_id::{InvalidSongId, SongId},
    storage::StorageError,
};

/// Everything a stream request can fail with.
#[derive(Debug, thiserror::Error)]
pub enum StreamError {
    #[error(transparent)]
    InvalidId(#[from] InvalidSongId),
    #[error("song {0} was not found")]
    UnknownSong(SongId),
    /// A bad query parameter; `code` names the kind (`invalid_format`...).
    #[error("{message}")]
    InvalidQuery { code: &'static str, message: String },
    #[error("the file of song {0} is missing")]
    SourceMissing(SongId),
    #[error("the file of song {0} may not be served")]
    SourceRefused(SongId),
    #[error("{0}")]
    Origin(String),
    #[error("{0}")]
    Unsupported(&'static str),
    /// Too many transcodes run already.
    #[error("too many transcodes are running")]
    Busy { retry_after_secs: u32 },
    #[error("the transcoder produced no audio")]
    TranscodeFailed,
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

impl StreamError {
    /// Maps a storage failure for song `id`.
    pub fn storage(id: SongId, error: StorageError) -> Self {
        match error {
            StorageError::Missing => Self::SourceMissing(id),
            StorageError::Outside => Self::SourceRefused(id),
            StorageError::Origin { status, reason } => Self::Origin(match status {
                Some(status) => format!("the origin of song {id} answered {status}"),
                None => format!("the origin of song {id} failed: {reason}"),
            }),
            StorageError::Unsupported(what) => Self::Unsupported(what),
            StorageError::Unexpected(error) => Self::Unexpected(error),
        }
    }

    fn api_error(&self) -> ApiError {
        let message = self.to_string();
        match self {
            Self::InvalidId(_) => ApiError::bad_request("invalid_id", message),
            Self::UnknownSong(id) => ApiError::not_found(format_args!("song {id}")),
            Self::InvalidQuery { code, .. } => ApiError::bad_request(*code, message),
            Self::SourceMissing(_) => ApiError::new(StatusCode::NOT_FOUND, "source_missing", message),
            Self::SourceRefused(_) => ApiError::forbidden(message),
            Self::Origin(_) => ApiError::new(StatusCode::BAD_GATEWAY, "origin_error", message),
            Self::Unsupported(_) => ApiError::new(StatusCode::NOT_IMPLEMENTED, "unsupported", message),
            Self::Busy { .. } => ApiError::service_unavailable("transcoder_busy", message),
            Self::TranscodeFailed => {
                ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "transcode_failed", message)
            }
            Self::Unexpected(error) => ApiError::internal(anyhow::anyhow!("{error:#}")),
        }
    }
}

impl ResponseError for StreamError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::InvalidId(_) | Self::InvalidQuery { .. } => StatusCode::BAD_REQUEST,
            Self::UnknownSong(_) | Self::SourceMissing(_) => StatusCode::NOT_FOUND,
            Self::SourceRefused(_) => StatusCode::FORBIDDEN,
            Self::Origin(_) => StatusCode::BAD_GATEWAY,
            Self::Unsupported(_) => StatusCode::NOT_IMPLEMENTED,
            Self::Busy { .. } => StatusCode::SERVICE_UNAVAILABLE,
            Self::TranscodeFailed => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Unexpected(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let mut response = self.api_error().error_response();
        if let Self::Busy { retry_after_secs } = self {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, header::HeaderValue::from(*retry_after_secs));
        }
        response
    }
}
