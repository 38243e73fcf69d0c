//! Every way a catalog request can fail, and the answer each one gives
//! (`{"error":{"code","message","request_id"}}` with the right status).
//! Internal causes are logged, never sent.

use actix_web::{HttpResponse, ResponseError, http::StatusCode};
use common::ApiError;

use crate::{
    covers::{CoverError, DecodeError},
    domain::user::FieldError,
    sources::internet::error::SourceError,
};

/// Why a catalog request failed.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    /// 400 `invalid_parameter`.
    #[error("query parameter `{parameter}` is invalid: {expected}")]
    InvalidParameter {
        parameter: &'static str,
        expected: String,
    },
    /// 400 `invalid_id`.
    #[error("{what} id {text:?} is malformed: expected a UUID")]
    InvalidId { what: &'static str, text: String },
    /// 400 `invalid_field`: a field of a JSON body.
    #[error(transparent)]
    InvalidField(#[from] FieldError),
    /// 400 `unknown_song`: a body names a song the catalog does not have.
    #[error("song {0} is not in the catalog")]
    UnknownSong(uuid::Uuid),
    /// 401 `sign_in_required`: a personal route called anonymously.
    #[error("sign in to keep favourites, playlists and a play queue")]
    SignInRequired,
    /// 403 `not_owner`: only a playlist's owner changes it.
    #[error("only the owner of playlist {0} may change it")]
    NotOwner(uuid::Uuid),
    /// 404; says what was not found ("song 0f3…").
    #[error("{0} was not found")]
    NotFound(String),
    /// 503 while the migrations are not applied yet.
    #[error("the catalog is starting (database not ready yet)")]
    NotReady,
    /// 409 while a scan runs.
    #[error("a scan is already running")]
    ScanRunning,
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    /// An answer that could not be written as JSON (500).
    #[error("writing the answer: {0}")]
    Encode(#[from] serde_json::Error),
    #[error(transparent)]
    Source(#[from] SourceError),
    #[error(transparent)]
    Cover(#[from] CoverError),
    /// Refusals decided in `common` (identity, role).
    #[error(transparent)]
    Refused(#[from] ApiError),
}

impl CatalogError {
    /// A 400 naming `parameter` and what it should have been.
    pub fn invalid(parameter: &'static str, expected: impl Into<String>) -> Self {
        Self::InvalidParameter {
            parameter,
            expected: expected.into(),
        }
    }

    /// A 404 for `what`.
    pub fn not_found(what: impl std::fmt::Display) -> Self {
        Self::NotFound(what.to_string())
    }

    /// The answer, or `None` for an internal failure (500, logged once when
    /// the response is made).
    fn answer(&self) -> Option<ApiError> {
        let unprocessable = |code: &'static str, message: &str| {
            ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, code, message)
        };
        Some(match self {
            Self::InvalidParameter { .. } => ApiError::bad_request("invalid_parameter", self.to_string()),
            Self::InvalidId { .. } => ApiError::bad_request("invalid_id", self.to_string()),
            Self::InvalidField(_) => ApiError::bad_request("invalid_field", self.to_string()),
            Self::UnknownSong(_) => ApiError::bad_request("unknown_song", self.to_string()),
            Self::SignInRequired => {
                ApiError::new(StatusCode::UNAUTHORIZED, "sign_in_required", self.to_string())
            }
            Self::NotOwner(_) => ApiError::new(StatusCode::FORBIDDEN, "not_owner", self.to_string()),
            Self::NotFound(what) => ApiError::not_found(what),
            Self::NotReady => ApiError::service_unavailable("not_ready", self.to_string()),
            Self::ScanRunning => ApiError::conflict("scan_running", self.to_string()),
            Self::Database(sqlx::Error::PoolTimedOut | sqlx::Error::Io(_) | sqlx::Error::PoolClosed) => {
                ApiError::service_unavailable("database_unavailable", "the catalog database is unavailable")
            }
            Self::Source(error) => match error {
                SourceError::InvalidUrl(m) => unprocessable("invalid_source_url", m),
                SourceError::Refused(m) => unprocessable("source_refused", m),
                SourceError::Unreachable(m) => unprocessable("source_unreachable", m),
                SourceError::TooLarge(m) => unprocessable("source_too_large", m),
                SourceError::Unsupported(m) => unprocessable("unsupported_source", m),
                SourceError::InvalidFeed(m) => unprocessable("invalid_feed", m),
                SourceError::Exists(id) => {
                    ApiError::conflict("source_exists", format!("this URL is already source {id}"))
                }
                SourceError::NotFound(id) => ApiError::not_found(format!("source {id}")),
                SourceError::Unexpected(_) => return None,
            },
            Self::Cover(CoverError::Unusable(
                decode @ (DecodeError::TooLarge | DecodeError::Undecodable),
            )) => unprocessable("cover_unusable", &decode.to_string()),
            Self::Refused(error) => error.clone(),
            Self::Database(_) | Self::Cover(_) | Self::Encode(_) => return None,
        })
    }
}

impl ResponseError for CatalogError {
    fn status_code(&self) -> StatusCode {
        self.answer()
            .map_or(StatusCode::INTERNAL_SERVER_ERROR, |answer| answer.status())
    }

    fn error_response(&self) -> HttpResponse {
        let answer = self
            .answer()
            .unwrap_or_else(|| ApiError::internal(anyhow::anyhow!("{}", chain(self))));
        answer.error_response()
    }
}

/// The error and its causes, for the log.
fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// What catalog handlers answer.
pub type CatalogResult<T> = Result<T, CatalogError>;

#[cfg(test)]
mod tests {
    use actix_web::body::MessageBody as _;

    use super::*;

    fn body(error: &CatalogError) -> String {
        let bytes = error
            .error_response()
            .into_body()
            .try_into_bytes()
            .expect("a full body");
        String::from_utf8(bytes.to_vec()).expect("utf-8")
    }

    #[test]
    fn an_unavailable_database_is_a_503_and_other_database_errors_a_500_that_says_nothing() {
        let down = CatalogError::Database(sqlx::Error::PoolTimedOut);
        assert_eq!(down.status_code(), StatusCode::SERVICE_UNAVAILABLE);
        assert!(body(&down).contains("database_unavailable"));
        let broken = CatalogError::Database(sqlx::Error::Protocol("password=hunter2".into()));
        assert_eq!(broken.status_code(), StatusCode::INTERNAL_SERVER_ERROR);
        assert!(!body(&broken).contains("hunter2"), "{}", body(&broken));
    }

    #[test]
    fn each_kind_answers_its_status_and_code() {
        let cases = [
            (
                CatalogError::invalid("limit", "a number"),
                StatusCode::BAD_REQUEST,
                "invalid_parameter",
            ),
            (
                CatalogError::InvalidId {
                    what: "song",
                    text: "x".into(),
                },
                StatusCode::BAD_REQUEST,
                "invalid_id",
            ),
            (
                CatalogError::not_found("song 1"),
                StatusCode::NOT_FOUND,
                "not_found",
            ),
            (
                CatalogError::NotReady,
                StatusCode::SERVICE_UNAVAILABLE,
                "not_ready",
            ),
            (CatalogError::ScanRunning, StatusCode::CONFLICT, "scan_running"),
            (
                CatalogError::InvalidField(FieldError::new("name", "expected 1 to 200 characters")),
                StatusCode::BAD_REQUEST,
                "invalid_field",
            ),
            (
                CatalogError::UnknownSong(uuid::Uuid::nil()),
                StatusCode::BAD_REQUEST,
                "unknown_song",
            ),
            (
                CatalogError::SignInRequired,
                StatusCode::UNAUTHORIZED,
                "sign_in_required",
            ),
            (
                CatalogError::NotOwner(uuid::Uuid::nil()),
                StatusCode::FORBIDDEN,
                "not_owner",
            ),
            (
                CatalogError::Source(SourceError::Exists(uuid::Uuid::nil())),
                StatusCode::CONFLICT,
                "source_exists",
            ),
            (
                CatalogError::Cover(CoverError::Unusable(DecodeError::TooLarge)),
                StatusCode::UNPROCESSABLE_ENTITY,
                "cover_unusable",
            ),
        ];
        for (error, status, code) in cases {
            assert_eq!(error.status_code(), status, "{error}");
            assert!(body(&error).contains(code), "{error}: {}", body(&error));
        }
    }
}
