//! `x-request-id`: taken from the request when it is well formed, generated
//! otherwise, echoed on the response, attached to every log line of the
//! request and available to error bodies.

use std::time::Instant;

use actix_web::{
    Error, HttpMessage,
    body::{BoxBody, MessageBody},
    dev::{ServiceRequest, ServiceResponse},
    http::header::{HeaderName, HeaderValue},
    middleware::Next,
};
use tracing::Instrument;

/// The header carrying the request id, from the gateway through every service.
pub const HEADER: HeaderName = HeaderName::from_static("x-request-id");

tokio::task_local! {
    static CURRENT: String;
}

/// The id of the request being served by this task, if any.
pub fn current() -> Option<String> {
    CURRENT.try_with(Clone::clone).ok()
}

/// The request id as a request extension, for handlers that pass it on
/// (to upstream services, to Kafka headers).
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

/// Accepts ids of 1 to 128 characters from a conservative set, so a client
/// cannot inject anything odd into logs or headers.
pub fn is_well_formed(id: &str) -> bool {
    (1..=128).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
}

fn incoming(req: &ServiceRequest) -> Option<String> {
    let value = req.headers().get(&HEADER)?.to_str().ok()?;
    is_well_formed(value).then(|| value.to_owned())
}

/// Paths polled by orchestrators; logged at debug level only.
fn is_probe(path: &str) -> bool {
    matches!(path, "/healthz" | "/readyz" | "/metrics")
}

/// The middleware; mount it outermost (`.wrap(from_fn(request_id::middleware))` last).
pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let id = incoming(&req).unwrap_or_else(|| uuid::Uuid::now_v7().to_string());
    req.extensions_mut().insert(RequestId(id.clone()));
    let span = tracing::info_span!("request", request_id = %id);
    let (method, path, probe) = (req.method().clone(), req.path().to_owned(), is_probe(req.path()));
    let started = Instant::now();
    // Handler and extractor errors become responses inside this scope, so
    // their JSON bodies carry the id. (No clone of the request may be held
    // across the call: routing needs it unshared.)
    let handled = CURRENT
        .scope(id.clone(), next.call(req))
        .instrument(span.clone())
        .await;
    let mut response = handled?.map_into_boxed_body();
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(HEADER, value);
    }
    let status = response.status().as_u16();
    let elapsed_ms = started.elapsed().as_secs_f64() * 1000.0;
    span.in_scope(|| {
        if probe {
            tracing::debug!(%method, %path, status, elapsed_ms, "request served");
        } else {
            tracing::info!(%method, %path, status, elapsed_ms, "request served");
        }
    });
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_conservative_ids_are_accepted() {
        assert!(is_well_formed("0193c9b2-7f00-7000-8000-000000000000"));
        assert!(!is_well_formed(""));
        assert!(!is_well_formed("evil\nlog line"));
        assert!(!is_well_formed(&"a".repeat(129)));
    }
}
