//! What can go wrong with an Internet source.

use common::{ApiError, fetch::FetchError};
use uuid::Uuid;

#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error("{0}")]
    InvalidUrl(String),
    #[error("{0}")]
    Refused(String),
    #[error("{0}")]
    Unreachable(String),
    #[error("{0}")]
    TooLarge(String),
    #[error("{0}")]
    Unsupported(String),
    #[error("{0}")]
    InvalidFeed(String),
    #[error("source {0} is already added")]
    Exists(Uuid),
    #[error("source {0}")]
    NotFound(Uuid),
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

impl From<FetchError> for SourceError {
    fn from(error: FetchError) -> Self {
        match error {
            FetchError::Refused { .. } => Self::Refused(error.to_string()),
            FetchError::TooLarge { .. } => Self::TooLarge(error.to_string()),
            FetchError::TooManyRedirects { .. }
            | FetchError::Timeout { .. }
            | FetchError::Connect { .. }
            | FetchError::Status { .. } => Self::Unreachable(error.to_string()),
            FetchError::Policy(message) => Self::Unexpected(anyhow::anyhow!(message)),
        }
    }
}

impl From<sqlx::Error> for SourceError {
    fn from(error: sqlx::Error) -> Self {
        Self::Unexpected(error.into())
    }
}

impl From<SourceError> for ApiError {
    fn from(error: SourceError) -> Self {
        let unprocessable = |code: &'static str, message: String| {
            ApiError::new(actix_web::http::StatusCode::UNPROCESSABLE_ENTITY, code, message)
        };
        match error {
            SourceError::InvalidUrl(message) => unprocessable("invalid_source_url", message),
            SourceError::Refused(message) => unprocessable("source_refused", message),
            SourceError::Unreachable(message) => unprocessable("source_unreachable", message),
            SourceError::TooLarge(message) => unprocessable("source_too_large", message),
            SourceError::Unsupported(message) => unprocessable("unsupported_source", message),
            SourceError::InvalidFeed(message) => unprocessable("invalid_feed", message),
            SourceError::Exists(id) => {
                ApiError::conflict("source_exists", format!("this URL is already source {id}"))
            }
            SourceError::NotFound(id) => ApiError::not_found(format!("source {id}")),
            SourceError::Unexpected(error) => ApiError::internal(error),
        }
    }
}
