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
use http_body_util::BodyExt as _;

use super::{
    balancer::{Balancer, Instance, Service},
    body,
    headers::{self, Forwarding},
    metrics::Outcome,
    upstream::{self, UpstreamBody, UpstreamClient, UpstreamResponse},
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
    let method = upstream_method(req.method())?;
    let path_and_query = req.uri().path_and_query().map_or("/", |pq| pq.as_str());
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
        let request = build(instance, path_and_query, method, headers, limited.body)?;
        return match send(&gateway.upstream.here(), balancer, instance, request, timeout).await {
            Err(_) if limited.overflowed.load(Ordering::SeqCst) => Err(GatewayError::BodyTooLarge { limit }),
            outcome => outcome.map(|response| relay(response, req.method())),
        };
    }
    let response = send_without_body(&gateway, service, path_and_query, method, headers, timeout).await?;
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
        reqwest::Method::GET,
        headers,
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
    method: reqwest::Method,
    mut headers: reqwest::header::HeaderMap,
    timeout: Option<std::time::Duration>,
) -> Result<UpstreamResponse, GatewayError> {
    let balancer = gateway.balancer(service);
    let mut last_error = GatewayError::Unavailable {
        service: service.name(),
    };
    let attempts = balancer.len().max(1);
    for attempt in 1..=attempts {
        let instance = balancer.pick().ok_or(GatewayError::Unavailable {
            service: service.name(),
        })?;
        // Copied only when another attempt may need them.
        let headers = if attempt < attempts {
            headers.clone()
        } else {
            std::mem::take(&mut headers)
        };
        let request = build(
            instance,
            path_and_query,
            method.clone(),
            headers,
            upstream::empty(),
        )?;
        match send(&gateway.upstream.here(), balancer, instance, request, timeout).await {
            Ok(response) => return Ok(response),
            Err(error @ GatewayError::Unavailable { .. }) => last_error = error,
            Err(error) => return Err(error),
        }
    }
    Err(last_error)
}

/// The identity and forwarding headers for a request made on behalf of
/// `caller`, with the client's end-to-end headers.
pub fn upstream_headers(req: &HttpRequest, gateway: &Gateway, caller: &Caller) -> reqwest::header::HeaderMap {
    let extensions = req.extensions();
    let forwarding = Forwarding {
        caller,
        request_id: extensions.get::<RequestId>().map_or("", |id| id.0.as_str()),
        fixed: &gateway.fixed_headers,
        client_addr: gateway.client_addr(req),
        https: gateway.is_https(req),
    };
    headers::upstream_request_headers(req, &forwarding)
}

/// The client's method for the upstream request; the common ones without
/// parsing their names again.
fn upstream_method(method: &Method) -> Result<reqwest::Method, GatewayError> {
    Ok(match *method {
        Method::GET => reqwest::Method::GET,
        Method::HEAD => reqwest::Method::HEAD,
        Method::POST => reqwest::Method::POST,
        Method::PUT => reqwest::Method::PUT,
        Method::PATCH => reqwest::Method::PATCH,
        Method::DELETE => reqwest::Method::DELETE,
        Method::OPTIONS => reqwest::Method::OPTIONS,
        ref other => reqwest::Method::from_bytes(other.as_str().as_bytes())
            .map_err(|_| GatewayError::Invalid(format!("unsupported method {other}")))?,
    })
}

/// The request for `instance`, with its URI built from the instance's
/// parsed scheme and authority and the client's path.
fn build(
    instance: &Instance,
    path_and_query: &str,
    method: reqwest::Method,
    headers: reqwest::header::HeaderMap,
    body: UpstreamBody,
) -> Result<hyper::Request<UpstreamBody>, GatewayError> {
    let uri = instance
        .uri_for(path_and_query)
        .map_err(|_| GatewayError::Invalid("the request path is not a valid URI".into()))?;
    let mut request = hyper::Request::new(body);
    *request.method_mut() = method;
    *request.uri_mut() = uri;
    *request.headers_mut() = headers;
    Ok(request)
}

/// Sends one request, turning failures into 503/504 naming the service and
/// marking an instance that cannot be reached as down.
async fn send(
    client: &UpstreamClient,
    balancer: &Balancer,
    instance: &Instance,
    request: hyper::Request<UpstreamBody>,
    timeout: Option<std::time::Duration>,
) -> Result<UpstreamResponse, GatewayError> {
    let service = balancer.service().name();
    let started = Instant::now();
    let outcome = match timeout {
        Some(limit) => match tokio::time::timeout(limit, client.request(request)).await {
            Ok(outcome) => outcome.map_err(Some),
            Err(_) => Err(None),
        },
        None => client.request(request).await.map_err(Some),
    };
    match outcome {
        Ok(response) => {
            balancer.mark_up(instance);
            instance.metrics.observe(Outcome::Ok, started.elapsed());
            Ok(response)
        }
        Err(None) => {
            balancer.mark_down(instance);
            instance.metrics.observe(Outcome::Timeout, started.elapsed());
            Err(GatewayError::Timeout { service })
        }
        Err(Some(error)) => {
            if error.is_connect() {
                balancer.mark_down(instance);
            }
            // The error names the failure, never the URL (whose query
            // string may hold a private feed's token).
            tracing::warn!(instance = %instance.label, error = %describe(&error), "upstream request failed");
            instance.metrics.observe(Outcome::Error, started.elapsed());
            Err(GatewayError::Unavailable { service })
        }
    }
}

/// The error and its causes on one line (hyper's own message is terse:
/// "client error (Connect)").
fn describe(error: &hyper_util::client::legacy::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// The client's response: status and headers as the service sent them, the
/// body streamed chunk by chunk (dropping it, when the client goes away,
/// drops the upstream connection too).
fn relay(response: UpstreamResponse, method: &Method) -> HttpResponse {
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
    // The chunks hyper read pass on as they are (no copy here; actix
    // copies each into its write buffer once).
    let stream = response.into_body().into_data_stream();
    match length {
        Some(length) => builder.body(SizedStream::new(length, stream)),
        None => builder.streaming(stream),
    }
}

/// Sends a request with a body held in memory (the Subsonic adapter's
/// writes to the catalog) to one instance. It is not retried on another
/// one: the first may have applied it before failing.
pub async fn send_with_body(
    gateway: &Gateway,
    service: Service,
    path_and_query: &str,
    method: reqwest::Method,
    headers: reqwest::header::HeaderMap,
    body: Vec<u8>,
    timeout: Option<std::time::Duration>,
) -> Result<UpstreamResponse, GatewayError> {
    let balancer = gateway.balancer(service);
    let instance = balancer.pick().ok_or(GatewayError::Unavailable {
        service: service.name(),
    })?;
    let request = build(instance, path_and_query, method, headers, upstream::full(body))?;
    send(&gateway.upstream.here(), balancer, instance, request, timeout).await
}
