//! The web UI from `TONEARM_WEB_DIR` (default `web/dist`): files as they
//! are, hashed `/assets/*` cached for a year, and `index.html` for every
//! other path so the single-page app can route itself. Every answer carries
//! the page policy below.

use std::path::{Component, Path, PathBuf};

use actix_web::ResponseError as _;
use actix_web::{HttpRequest, HttpResponse, http::header, web};
use common::ApiError;

use crate::state::Gateway;

/// The Content-Security-Policy of the gateway's pages (the web UI and the
/// API viewer): scripts, styles, fonts only from the gateway's own files
/// (the built app has no inline script or style; Svelte sets styles through
/// the CSSOM, which the policy allows), images and audio from the API
/// (covers, streams; `data:` for images a build may inline), requests and
/// the live socket to this origin only, no plugins, no `<base>`, forms
/// only to this origin, and no framing by anyone.
pub const PAGE_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
    img-src 'self' data:; media-src 'self'; font-src 'self'; connect-src 'self'; \
    manifest-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; \
    frame-ancestors 'none'";

/// `GET`/`HEAD` on any path no other route took.
pub async fn serve(req: HttpRequest, gateway: web::Data<Gateway>) -> HttpResponse {
    let path = req.path();
    if path.starts_with("/api/") || path == "/api" || path == "/ws" {
        return not_found(&req);
    }
    let root = &gateway.settings.web_dir;
    if let Some(file) = file_under(root, path)
        && let Ok(bytes) = tokio::fs::read(&file).await
    {
        let cache = if path.starts_with("/assets/") {
            "public, max-age=31536000, immutable"
        } else {
            "no-cache"
        };
        return HttpResponse::Ok()
            .content_type(content_type(&file))
            .insert_header((header::CACHE_CONTROL, cache))
            .insert_header((header::CONTENT_SECURITY_POLICY, PAGE_POLICY))
            .body(bytes);
    }
    // A missing hashed asset is a real 404; any other path is the app's.
    if path.starts_with("/assets/") {
        return not_found(&req);
    }
    match tokio::fs::read(root.join("index.html")).await {
        Ok(bytes) => HttpResponse::Ok()
            .content_type("text/html; charset=utf-8")
            .insert_header((header::CACHE_CONTROL, "no-cache"))
            .insert_header((header::CONTENT_SECURITY_POLICY, PAGE_POLICY))
            .body(bytes),
        Err(_) => ApiError::new(
            actix_web::http::StatusCode::NOT_FOUND,
            "web_ui_missing",
            "the web UI is not built (no index.html in the web folder)",
        )
        .error_response(),
    }
}

fn not_found(req: &HttpRequest) -> HttpResponse {
    ApiError::new(
        actix_web::http::StatusCode::NOT_FOUND,
        "route_not_found",
        format!("no route for {} {}", req.method(), req.path()),
    )
    .error_response()
}

/// The regular file `path` names under `root`, if it is one; only plain
/// name components are accepted (the path guard refused the rest already).
fn file_under(root: &Path, path: &str) -> Option<PathBuf> {
    let relative = Path::new(path.trim_start_matches('/'));
    if relative.as_os_str().is_empty() || !relative.components().all(|c| matches!(c, Component::Normal(_))) {
        return None;
    }
    let file = root.join(relative);
    file.is_file().then_some(file)
}

fn content_type(file: &Path) -> &'static str {
    match file.extension().and_then(|ext| ext.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" | "map" => "application/json",
        "webmanifest" => "application/manifest+json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "txt" => "text/plain; charset=utf-8",
        "wasm" => "application/wasm",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_components_map_to_files() {
        let root = Path::new("/nonexistent-root");
        assert!(file_under(root, "/").is_none());
        assert!(file_under(root, "/../etc/passwd").is_none());
        assert_eq!(
            content_type(Path::new("a/app.js")),
            "text/javascript; charset=utf-8"
        );
    }
}
