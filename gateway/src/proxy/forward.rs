//! Plain HTTP pass-through to one service: the request goes to the next
//! healthy instance with the gateway's identity headers, and the answer
//! streams back as it arrives.

use std::{sync::atomic::Ordering, time::Instant};

use actix_web::{
    HttpMessage as _, HttpRequest, HttpResponse,
    body::SizedStream,
    http::{Method, StatusCode},
    web,
};
use common::request_id::RequestId;
use futures_util::StreamExt as _;

use super::{
    balancer::{Balancer, Instance, Service},
    body,
    headers::{self, Forwarding},
};
use crate::{auth::Caller, error::GatewayError, state::Gateway};

/// The handler behind `/api/catalog/*`, `/api/stream/*` and `/api/events/*`.
pub async fn forward(
    req: HttpRequest,
    payload: web::Payload,
    gateway: web::Data<Gateway>,
    service: Service,
) -> Result<HttpResponse, GatewayError> {
    let caller = gateway.caller_for_service(&req).await?;
    let balancer = gateway.balancer(service);
    let limit = gateway.settings.max_body_bytes;
    body::check_declared_length(&req, limit)?;
    let headers = upstream_headers(&req, &gateway, &caller);
    let method = reqwest::Method::from_bytes(req.method().as_str().as_bytes())
        .map_err(|_| GatewayError::Invalid(format!("unsupported method {}", req.method())))?;
    let path_and_query = req
        .uri()
        .path_and_query()
        .map_or("/", |pq| pq.as_str())
        .to_owned();
    let timeout = match service {
        // Songs may stream for hours; only the connection attempt is bounded.
        Service::Stream => None,
        Service::Catalog | Service::Events | Service::EventsSocket => Some(gateway.settings.request_timeout),
    };

    if body::has_body(&req) {
        let limited = body::stream_to_upstream(payload, limit);
        let instance = balancer.pick().ok_or(GatewayError::Unavailable {
            service: service.name(),
        })?;
        let request = build(&gateway, &instance, &path_and_query, method, headers).body(limited.body);
        return match send(&gateway, balancer, &instance, request, timeout).await {
            Err(_) if limited.overflowed.load(Ordering::SeqCst) => Err(GatewayError::BodyTooLarge { limit }),
            outcome => outcome.map(|response| relay(response, req.method())),
        };
    }
    let response = send_without_body(&gateway, service, &path_and_query, &method, &headers, timeout).await?;
    Ok(relay(response, req.method()))
}

/// A GET of `path_and_query` on `service` as `caller`, with the client's
/// end-to-end headers (Range, conditional ones), relayed like the
/// pass-through (the Subsonic adapter's `stream`, `download`, covers).
pub async fn get_as(
    req: &HttpRequest,
    gateway: &Gateway,
    service: Service,
    caller: &Caller,
    path_and_query: &str,
) -> Result<HttpResponse, GatewayError> {
    let mut headers = upstream_headers(req, gateway, caller);
    // The client's request may have been a form POST; this one has no body.
    headers.remove(reqwest::header::CONTENT_LENGTH);
    headers.remove(reqwest::header::CONTENT_TYPE);
    let timeout = match service {
        Service::Stream => None,
        Service::Catalog | Service::Events | Service::EventsSocket => Some(gateway.settings.request_timeout),
    };
    let response = send_without_body(
        gateway,
        service,
        path_and_query,
        &reqwest::Method::GET,
        &headers,
        timeout,
    )
    .await?;
    Ok(relay(response, &Method::GET))
}

/// Sends a request without a body, which can safely go to another
/// instance when the first one cannot be reached.
pub async fn send_without_body(
    gateway: &Gateway,
    service: Service,
    path_and_query: &str,
    method: &reqwest::Method,
    headers: &reqwest::header::HeaderMap,
    timeout: Option<std::time::Duration>,
) -> Result<reqwest::Response, GatewayError> {
    let balancer = gateway.balancer(service);
    let mut last_error = GatewayError::Unavailable {
        service: service.name(),
    };
    for _ in 0..balancer.len().max(1) {
        let instance = balancer.pick().ok_or(GatewayError::Unavailable {
            service: service.name(),
        })?;
        let request = build(
            gateway,
            &instance,
            path_and_query,
            method.clone(),
            headers.clone(),
        );
        match send(gateway, balancer, &instance, request, timeout).await {
            Ok(response) => return Ok(response),
            Err(error @ GatewayError::Unavailable { .. }) => last_error = error,
            Err(error) => return Err(error),
        }
    }
    Err(last_error)
}

/// Sends a request with a body to one instance: not retried on another,
/// since the first may have acted on it before failing.
pub async fn send_with_body(
    gateway: &Gateway,
    service: Service,
    path_and_query: &str,
    method: &reqwest::Method,
    headers: &reqwest::header::HeaderMap,
    body: Vec<u8>,
    timeout: Option<std::time::Duration>,
) -> Result<reqwest::Response, GatewayError> {
    let balancer = gateway.balancer(service);
    let instance = balancer.pick().ok_or(GatewayError::Unavailable {
        service: service.name(),
    })?;
    let request = build(
        gateway,
        &instance,
        path_and_query,
        method.clone(),
        headers.clone(),
    )
    .body(body);
    send(gateway, balancer, &instance, request, timeout).await
}

/// The identity and forwarding headers for a request made on behalf of
/// `caller`, with the client's end-to-end headers.
pub fn upstream_headers(req: &HttpRequest, gateway: &Gateway, caller: &Caller) -> reqwest::header::HeaderMap {
    let request_id = req
        .extensions()
        .get::<RequestId>()
        .map(|id| id.0.clone())
        .unwrap_or_default();
    let forwarding = Forwarding {
        caller,
        request_id: &request_id,
        internal_token: &gateway.settings.internal_token,
        client_addr: gateway.client_addr(req),
        proto: if gateway.is_https(req) { "https" } else { "http" },
    };
    headers::upstream_request_headers(req, &forwarding)
}

fn build(
    gateway: &Gateway,
    instance: &Instance,
    path_and_query: &str,
    method: reqwest::Method,
    headers: reqwest::header::HeaderMap,
) -> reqwest::RequestBuilder {
    let url = format!(
        "{}{}",
        instance.url.as_str().trim_end_matches('/'),
        path_and_query
    );
    gateway.client.request(method, url).headers(headers)
}

/// Sends one request, turning failures into 503/504 naming the service and
/// marking an instance that cannot be reached as down.
async fn send(
    gateway: &Gateway,
    balancer: &Balancer,
    instance: &Instance,
    request: reqwest::RequestBuilder,
    timeout: Option<std::time::Duration>,
) -> Result<reqwest::Response, GatewayError> {
    let service = balancer.service().name();
    let started = Instant::now();
    let outcome = match timeout {
        Some(limit) => match tokio::time::timeout(limit, request.send()).await {
            Ok(outcome) => outcome.map_err(Some),
            Err(_) => Err(None),
        },
        None => request.send().await.map_err(Some),
    };
    let metrics = &gateway.metrics;
    match outcome {
        Ok(response) => {
            balancer.mark_up(instance);
            metrics.observe(service, &instance.label, "ok", started.elapsed());
            Ok(response)
        }
        Err(None) => {
            balancer.mark_down(instance);
            metrics.observe(service, &instance.label, "timeout", started.elapsed());
            Err(GatewayError::Timeout { service })
        }
        Err(Some(error)) => {
            if error.is_connect() {
                balancer.mark_down(instance);
            }
            // The error's URL would put the query string (which may hold a
            // private feed's token) in the logs.
            let error = error.without_url();
            tracing::warn!(instance = %instance.label, error = %error, "upstream request failed");
            metrics.observe(service, &instance.label, "error", started.elapsed());
            Err(GatewayError::Unavailable { service })
        }
    }
}

/// The client's response: status and headers as the service sent them, the
/// body streamed chunk by chunk (dropping it, when the client goes away,
/// drops the upstream connection too).
fn relay(response: reqwest::Response, method: &Method) -> HttpResponse {
    let status = StatusCode::from_u16(response.status().as_u16()).unwrap_or(StatusCode::BAD_GATEWAY);
    let mut builder = HttpResponse::build(status);
    headers::copy_response_headers(response.headers(), &mut builder);
    let length = response
        .headers()
        .get(reqwest::header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.trim().parse::<u64>().ok());
    if matches!(status, StatusCode::NO_CONTENT | StatusCode::NOT_MODIFIED) {
        return builder.finish();
    }
    if *method == Method::HEAD {
        let empty = futures_util::stream::empty::<Result<web::Bytes, std::io::Error>>();
        return builder.body(SizedStream::new(length.unwrap_or(0), empty));
    }
    let stream = response.bytes_stream().boxed();
    match length {
        Some(length) => builder.body(SizedStream::new(length, stream)),
        None => builder.streaming(stream),
    }
}
