//! The events service's public API as the Subsonic adapter uses it
//! (`POST /api/events/scrobbles`, `GET /api/events/now-playing`), through
//! the gateway's upstream client with the internal token and the caller's
//! identity, as [`super::catalog`] reads the catalog.

use actix_web::HttpRequest;
use serde_json::Value;

use super::{auth::User, catalog::json_headers, envelope::SubsonicError};
use crate::{
    error::GatewayError,
    proxy::{
        balancer::Service,
        forward,
        upstream::{self, UpstreamResponse},
    },
    state::Gateway,
};

/// Largest answer read from the events service.
const MAX_ANSWER: usize = 4 * 1024 * 1024;

/// Calls the events service as one user in one request.
pub struct Events<'a> {
    pub gateway: &'a Gateway,
    pub req: &'a HttpRequest,
    pub user: &'a User,
}

impl Events<'_> {
    /// `GET /api/events/<path>`.
    pub async fn get(&self, path: &str) -> Result<Value, SubsonicError> {
        let headers = self.headers();
        let response = forward::send_without_body(
            self.gateway,
            Service::Events,
            &format!("/api/events/{path}"),
            reqwest::Method::GET,
            headers,
            Some(self.gateway.settings.request_timeout),
        )
        .await
        .map_err(upstream_failed)?;
        answer(response).await
    }

    /// `POST /api/events/<path>` with a JSON body.
    pub async fn post(&self, path: &str, body: &Value) -> Result<Value, SubsonicError> {
        let mut headers = self.headers();
        headers.insert(
            reqwest::header::CONTENT_TYPE,
            reqwest::header::HeaderValue::from_static("application/json"),
        );
        let response = forward::send_with_body(
            self.gateway,
            Service::Events,
            &format!("/api/events/{path}"),
            reqwest::Method::POST,
            headers,
            body.to_string().into_bytes(),
            Some(self.gateway.settings.request_timeout),
        )
        .await
        .map_err(upstream_failed)?;
        answer(response).await
    }

    fn headers(&self) -> reqwest::header::HeaderMap {
        json_headers(self.gateway, self.req, self.user)
    }
}

/// A 2xx JSON answer; an unknown song is error 70, anything else error 0
/// with the service's message (a full spool says so, and the app retries).
async fn answer(response: UpstreamResponse) -> Result<Value, SubsonicError> {
    let status = response.status();
    let body: Value = match upstream::collect(response, MAX_ANSWER).await {
        Ok(bytes) => serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        Err(error) => return Err(upstream_failed(GatewayError::Unexpected(error))),
    };
    if status.is_success() {
        return Ok(body);
    }
    let message = body["error"]["message"]
        .as_str()
        .unwrap_or("the events service could not answer")
        .to_owned();
    match status.as_u16() {
        400 | 404 => Err(SubsonicError::not_found("song")),
        status => {
            tracing::warn!(status, %message, "the events service refused a subsonic call");
            Err(SubsonicError::generic(message))
        }
    }
}

fn upstream_failed(error: GatewayError) -> SubsonicError {
    tracing::warn!(error = %error, "subsonic call to the events service failed");
    SubsonicError::generic(error.to_string())
}
