//! Calls to the Last.fm web service: one method, JSON out, error codes
//! mapped to states, calls spaced to respect the rate limit.

use std::{sync::Arc, time::Duration};

use common::fetch::{FetchError, Fetcher};
use reqwest::{StatusCode, header::HeaderMap};
use serde_json::Value;
use tokio::{sync::Mutex, time::Instant};
use url::Url;

/// How a Last.fm call ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    Found(Value),
    /// Last.fm does not know this artist, album or track (error 6).
    NotFound,
    /// The API key is refused (errors 10, 26).
    InvalidKey,
    /// Too many calls (error 29).
    RateLimited,
    /// Last.fm could not be reached or answered something unexpected.
    Unavailable(String),
}

impl Answer {
    /// The `status` shown in details.
    pub fn status(&self) -> &'static str {
        match self {
            Self::Found(_) => "ok",
            Self::NotFound => "not_found",
            Self::InvalidKey => "invalid_key",
            Self::RateLimited => "rate_limited",
            Self::Unavailable(_) => "unavailable",
        }
    }

    /// Worth caching: a stable answer, not a passing problem.
    pub fn cacheable(&self) -> bool {
        matches!(self, Self::Found(_) | Self::NotFound)
    }
}

#[derive(Clone)]
pub struct Client {
    fetcher: Fetcher,
    base: Url,
    api_key: String,
    spacing: Duration,
    next_slot: Arc<Mutex<Instant>>,
}

impl Client {
    pub fn new(fetcher: Fetcher, base: Url, api_key: String, per_second: u32) -> Self {
        Self {
            fetcher,
            base,
            api_key,
            spacing: Duration::from_secs(1) / per_second.max(1),
            next_slot: Arc::new(Mutex::new(Instant::now())),
        }
    }

    /// Calls `method` with `params` (e.g. `[("artist", "Björk")]`).
    pub async fn call(&self, method: &str, params: &[(&str, &str)]) -> Answer {
        self.wait_for_slot().await;
        let mut url = self.base.clone();
        url.query_pairs_mut()
            .append_pair("method", method)
            .extend_pairs(params)
            .append_pair("autocorrect", "1")
            .append_pair("api_key", &self.api_key)
            .append_pair("format", "json");
        match self.fetcher.get_bytes(&url, HeaderMap::new()).await {
            Ok((_, _, body)) => interpret(&body),
            Err(FetchError::Status { status, .. }) => match status {
                StatusCode::FORBIDDEN | StatusCode::UNAUTHORIZED => Answer::InvalidKey,
                StatusCode::TOO_MANY_REQUESTS => Answer::RateLimited,
                StatusCode::NOT_FOUND => Answer::NotFound,
                other => Answer::Unavailable(format!("Last.fm answered {other}")),
            },
            // The error names the URL, whose query holds the API key.
            Err(error) => Answer::Unavailable(crate::redact::urls_in(&error.to_string())),
        }
    }

    /// Spaces calls evenly: each waits for the slot after the previous one.
    async fn wait_for_slot(&self) {
        let slot = {
            let mut next = self.next_slot.lock().await;
            let slot = (*next).max(Instant::now());
            *next = slot + self.spacing;
            slot
        };
        tokio::time::sleep_until(slot).await;
    }
}

/// A 200 answer may still carry a Last.fm error code.
pub fn interpret(body: &[u8]) -> Answer {
    let Ok(value) = serde_json::from_slice::<Value>(body) else {
        return Answer::Unavailable("Last.fm answered something that is not JSON".into());
    };
    match value.get("error").and_then(Value::as_i64) {
        None => Answer::Found(value),
        Some(6) => Answer::NotFound,
        Some(10 | 26) => Answer::InvalidKey,
        Some(29) => Answer::RateLimited,
        Some(code) => Answer::Unavailable(format!(
            "Last.fm error {code}: {}",
            value.get("message").and_then(Value::as_str).unwrap_or("")
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_codes_map_to_states() {
        assert_eq!(
            interpret(br#"{"error":6,"message":"not found"}"#),
            Answer::NotFound
        );
        assert_eq!(
            interpret(br#"{"error":10,"message":"Invalid API key"}"#),
            Answer::InvalidKey
        );
        assert_eq!(
            interpret(br#"{"error":29,"message":"Rate"}"#),
            Answer::RateLimited
        );
        assert_eq!(interpret(b"<html>").status(), "unavailable");
        assert_eq!(interpret(br#"{"artist":{}}"#).status(), "ok");
    }
}
