//! The gateway's errors and how each one answers (the shared JSON body).

use actix_web::{HttpResponse, ResponseError, http::StatusCode};
use common::ApiError;

/// Everything a gateway request can fail with.
#[derive(Debug, thiserror::Error)]
pub enum GatewayError {
    #[error("the {service} service is unavailable")]
    Unavailable { service: &'static str },
    #[error("the {service} service did not answer in time")]
    Timeout { service: &'static str },
    #[error("the request body is larger than {limit} bytes")]
    BodyTooLarge { limit: u64 },
    #[error("invalid path: {0}")]
    InvalidPath(&'static str),
    #[error("sign in first")]
    NotSignedIn,
    #[error("this needs the admin role")]
    NotAdmin,
    #[error("cross-origin request refused")]
    CrossOrigin,
    #[error("wrong username or password")]
    InvalidCredentials,
    #[error("too many attempts")]
    RateLimited { retry_after_secs: u64 },
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("expected a WebSocket upgrade")]
    NotWebSocket,
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

impl GatewayError {
    fn api_error(&self) -> ApiError {
        let message = self.to_string();
        match self {
            Self::Unavailable { .. } => ApiError::service_unavailable("upstream_unavailable", message),
            Self::Timeout { .. } => ApiError::new(StatusCode::GATEWAY_TIMEOUT, "upstream_timeout", message),
            Self::BodyTooLarge { .. } => {
                ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "body_too_large", message)
            }
            Self::InvalidPath(_) => ApiError::bad_request("invalid_path", message),
            Self::NotSignedIn => ApiError::unauthorized(message),
            Self::NotAdmin => ApiError::forbidden(message),
            Self::CrossOrigin => ApiError::new(StatusCode::FORBIDDEN, "cross_origin", message),
            Self::InvalidCredentials => {
                ApiError::new(StatusCode::UNAUTHORIZED, "invalid_credentials", message)
            }
            Self::RateLimited { .. } => ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                "too many sign-in attempts; try again later",
            ),
            Self::Invalid(_) => ApiError::bad_request("invalid_input", message),
            Self::NotFound(what) => ApiError::not_found(what),
            Self::Conflict(_) => ApiError::conflict("conflict", message),
            Self::NotWebSocket => ApiError::bad_request("not_websocket", message),
            Self::Unexpected(error) => ApiError::internal(anyhow::anyhow!("{error:#}")),
        }
    }
}

impl ResponseError for GatewayError {
    fn status_code(&self) -> StatusCode {
        match self {
            // Building the body of an unexpected error logs it; do that once.
            Self::Unexpected(_) => StatusCode::INTERNAL_SERVER_ERROR,
            other => other.api_error().status(),
        }
    }

    fn error_response(&self) -> HttpResponse {
        let error = self.api_error();
        let mut response = error.error_response();
        if let Self::RateLimited { retry_after_secs } = self
            && let Ok(value) = actix_web::http::header::HeaderValue::from_str(&retry_after_secs.to_string())
        {
            response
                .headers_mut()
                .insert(actix_web::http::header::RETRY_AFTER, value);
        }
        response
    }
}
