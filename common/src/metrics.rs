//! Prometheus metrics: one registry per service instance, HTTP request
//! counts and latency histograms by route and status, served at `/metrics`.

use std::time::Instant;

use actix_web::{
    Error, HttpResponse, ResponseError,
    body::MessageBody,
    dev::{ServiceRequest, ServiceResponse},
    middleware::Next,
    web,
};
use prometheus::{Encoder, HistogramOpts, HistogramVec, IntCounterVec, Opts, Registry, TextEncoder};

use crate::ApiError;

/// The registry of one service, with the HTTP metrics every service has.
/// Services register their own collectors on [`Metrics::registry`].
#[derive(Clone)]
pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
}

const LABELS: &[&str] = &["method", "route", "status"];

impl Metrics {
    /// A registry whose metric names all start with `tonearm_`, labelled with
    /// the service name.
    pub fn new(service: &str) -> anyhow::Result<Self> {
        let labels = [("service".to_owned(), service.to_owned())].into_iter().collect();
        let registry = Registry::new_custom(Some("tonearm".into()), Some(labels))?;
        let requests = IntCounterVec::new(
            Opts::new("http_requests_total", "HTTP requests served, by route and status"),
            LABELS,
        )?;
        let latency = HistogramVec::new(
            HistogramOpts::new("http_request_duration_seconds", "Time to answer an HTTP request").buckets(
                vec![
                    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
                ],
            ),
            LABELS,
        )?;
        registry.register(Box::new(requests.clone()))?;
        registry.register(Box::new(latency.clone()))?;
        Ok(Self {
            registry,
            requests,
            latency,
        })
    }

    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    fn observe(&self, method: &str, route: &str, status: u16, seconds: f64) {
        let status = status.to_string();
        let labels = [method, route, status.as_str()];
        self.requests.with_label_values(&labels).inc();
        self.latency.with_label_values(&labels).observe(seconds);
    }

    /// The text exposition format.
    pub fn render(&self) -> Result<String, ApiError> {
        let mut buffer = Vec::new();
        TextEncoder::new()
            .encode(&self.registry.gather(), &mut buffer)
            .map_err(ApiError::internal)?;
        String::from_utf8(buffer).map_err(ApiError::internal)
    }
}

/// Records every request; needs `web::Data<Metrics>` in the app data.
/// Routes are labelled by their pattern (`/api/catalog/songs/{id}`), and
/// requests that matched no route by `unmatched`, so labels stay bounded.
pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let metrics = req.app_data::<web::Data<Metrics>>().cloned();
    let method = req.method().to_string();
    let started = Instant::now();
    let result = next.call(req).await;
    if let Some(metrics) = metrics {
        let (route, status) = match &result {
            Ok(response) => (
                response
                    .request()
                    .match_pattern()
                    .unwrap_or_else(|| "unmatched".into()),
                response.status().as_u16(),
            ),
            Err(error) => (
                "unmatched".into(),
                error.as_response_error().status_code().as_u16(),
            ),
        };
        metrics.observe(&method, &route, status, started.elapsed().as_secs_f64());
    }
    result
}

/// `GET /metrics`
pub async fn handler(metrics: web::Data<Metrics>) -> HttpResponse {
    match metrics.render() {
        Ok(text) => HttpResponse::Ok()
            .content_type("text/plain; version=0.0.4; charset=utf-8")
            .body(text),
        Err(error) => error.error_response(),
    }
}
