//! What can go wrong with an Internet source.

use common::fetch::FetchError;
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
