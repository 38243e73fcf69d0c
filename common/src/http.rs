//! What every service's actix `App` mounts: extractor error handlers that
//! answer with the JSON error body, a JSON 404, and the probe routes.

use actix_web::{HttpRequest, HttpResponse, ResponseError, error, web};

use crate::{ApiError, health, metrics};

/// Mounts `/healthz`, `/readyz` and `/metrics` plus JSON errors for bad
/// bodies, queries and paths. Needs `web::Data<Readiness>` and
/// `web::Data<Metrics>` in the app data.
pub fn configure_common(cfg: &mut web::ServiceConfig) {
    cfg.app_data(json_config())
        .app_data(query_config())
        .app_data(path_config())
        .route("/healthz", web::get().to(health::healthz))
        .route("/readyz", web::get().to(health::readyz))
        .route("/metrics", web::get().to(metrics::handler));
}

/// What the public edge (the gateway) mounts instead: the same error
/// handlers, `/healthz`, and a `/readyz` that answers the status alone
/// (200 `ready` or 503 `not_ready`) without naming dependencies or their
/// errors. The detailed `/readyz` and `/metrics` belong on a listener that
/// only operators reach.
pub fn configure_edge(cfg: &mut web::ServiceConfig) {
    cfg.app_data(json_config())
        .app_data(query_config())
        .app_data(path_config())
        .route("/healthz", web::get().to(health::healthz))
        .route("/readyz", web::get().to(ready_status));
}

/// `GET /readyz` at the edge: the status without the report.
pub async fn ready_status(readiness: web::Data<health::Readiness>) -> HttpResponse {
    let report = readiness.report().await;
    let body = serde_json::json!({ "status": report.status });
    if report.is_ready() {
        HttpResponse::Ok().json(body)
    } else {
        HttpResponse::ServiceUnavailable().json(body)
    }
}

/// JSON bodies: at most 64 KiB, errors as `invalid_json`.
pub fn json_config() -> web::JsonConfig {
    web::JsonConfig::default()
        .limit(64 * 1024)
        .error_handler(|error, _req| {
            let api_error = match &error {
                error::JsonPayloadError::OverflowKnownLength { .. }
                | error::JsonPayloadError::Overflow { .. } => ApiError::new(
                    actix_web::http::StatusCode::PAYLOAD_TOO_LARGE,
                    "body_too_large",
                    "the request body is larger than allowed",
                ),
                error::JsonPayloadError::ContentType => ApiError::new(
                    actix_web::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    "unsupported_media_type",
                    "expected a JSON body (Content-Type: application/json)",
                ),
                other => ApiError::bad_request("invalid_json", format!("invalid JSON body: {other}")),
            };
            error::InternalError::from_response(error, api_error.error_response()).into()
        })
}

/// Query strings: errors as `invalid_query`.
pub fn query_config() -> web::QueryConfig {
    web::QueryConfig::default().error_handler(|error, _req| {
        let api_error = ApiError::bad_request("invalid_query", format!("invalid query string: {error}"));
        error::InternalError::from_response(error, api_error.error_response()).into()
    })
}

/// Path parameters: errors as `invalid_path`.
pub fn path_config() -> web::PathConfig {
    web::PathConfig::default().error_handler(|error, _req| {
        let api_error = ApiError::bad_request("invalid_path", format!("invalid path parameter: {error}"));
        error::InternalError::from_response(error, api_error.error_response()).into()
    })
}

/// The default service: a JSON 404 naming the path.
pub async fn not_found(req: HttpRequest) -> HttpResponse {
    ApiError::new(
        actix_web::http::StatusCode::NOT_FOUND,
        "route_not_found",
        format!("no route for {} {}", req.method(), req.path()),
    )
    .error_response()
}

/// A service's OpenAPI document as JSON, for the test that checks it; with
/// `TONEARM_WRITE_OPENAPI=dir` set it is also saved as `dir/{name}.json`,
/// which is how the web client's copies (`web/src/api/openapi/`) are
/// refreshed.
pub fn openapi_snapshot(name: &str, document: &impl serde::Serialize) -> anyhow::Result<serde_json::Value> {
    let value = serde_json::to_value(document)?;
    if let Some(dir) = std::env::var_os("TONEARM_WRITE_OPENAPI") {
        let text = serde_json::to_string_pretty(&value)? + "\n";
        std::fs::write(std::path::Path::new(&dir).join(format!("{name}.json")), text)?;
    }
    Ok(value)
}

/// Serves a service's OpenAPI document at `path` (`/api/<service>/openapi.json`),
/// turned into JSON once.
pub fn serve_openapi(cfg: &mut web::ServiceConfig, path: &str, document: &impl serde::Serialize) {
    let document = web::Data::new(serde_json::to_value(document).unwrap_or(serde_json::Value::Null));
    cfg.app_data(document).route(
        path,
        web::get().to(|document: web::Data<serde_json::Value>| async move {
            HttpResponse::Ok().json(document.get_ref())
        }),
    );
}
