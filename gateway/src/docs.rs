//! `/api/docs`: one OpenAPI document for all of Tonearm (the gateway's own
//! routes plus each service's `/api/<service>/openapi.json`, fetched when
//! asked), and a small self-contained viewer (no CDN, nothing downloaded).

use std::time::Duration;

use actix_web::{HttpResponse, web};
use serde_json::{Map, Value};
use utoipa::OpenApi;

use crate::{
    auth::{Role, admin, routes, users},
    proxy::balancer::Service,
    state::Gateway,
    subsonic::{api_keys, credentials},
};

/// The gateway's own API.
#[derive(OpenApi)]
#[openapi(
    info(title = "Tonearm", description = "The Tonearm API, as served by the gateway."),
    paths(
        routes::login, routes::logout, routes::me, routes::change_password,
        admin::list, admin::create, admin::get, admin::update, admin::delete, admin::reset_password,
        api_keys::list_keys, api_keys::create_key, api_keys::revoke_key,
        api_keys::create_app_password, api_keys::delete_app_password,
    ),
    components(schemas(
        routes::LoginRequest, routes::ChangePassword, routes::Me, Role, users::UserView,
        admin::NewUser, admin::UserChange, admin::PasswordReset,
        credentials::ApiKeyView, api_keys::NewApiKey, api_keys::CreatedApiKey,
    )),
    tags((name = "auth", description = "Signing in and out"), (name = "admin", description = "Accounts (admins only)"))
)]
pub struct GatewayApi;

const VIEWER: &str = include_str!("../assets/docs.html");
const VIEWER_SCRIPT: &str = include_str!("../assets/docs.js");
const VIEWER_STYLE: &str = include_str!("../assets/docs.css");

/// Mounts `""` (the viewer, its script and style) and `/openapi.json`
/// inside the `/api/docs` scope. The viewer has no inline script or style,
/// so it runs under the same Content-Security-Policy as the web UI.
pub fn configure_scoped(cfg: &mut web::ServiceConfig) {
    cfg.route("", web::get().to(|| asset(VIEWER, "text/html; charset=utf-8")))
        .route(
            "/viewer.js",
            web::get().to(|| asset(VIEWER_SCRIPT, "text/javascript; charset=utf-8")),
        )
        .route(
            "/viewer.css",
            web::get().to(|| asset(VIEWER_STYLE, "text/css; charset=utf-8")),
        )
        .route("/openapi.json", web::get().to(merged));
}

async fn asset(body: &'static str, content_type: &'static str) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(content_type)
        .insert_header(("content-security-policy", crate::web::PAGE_POLICY))
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-cache"))
        .body(body)
}

async fn merged(gateway: web::Data<Gateway>) -> HttpResponse {
    let mut document = serde_json::to_value(GatewayApi::openapi()).unwrap_or(Value::Null);
    let services = [Service::Catalog, Service::Stream, Service::Events];
    let parts = futures_util::future::join_all(services.map(|service| fetch(&gateway, service))).await;
    let mut missing = Vec::new();
    for (service, part) in services.into_iter().zip(parts) {
        match part {
            Some(part) => merge(&mut document, &part),
            None => missing.push(service.name()),
        }
    }
    if let Some(info) = document.get_mut("info").and_then(Value::as_object_mut) {
        info.insert("x-tonearm-missing-services".into(), Value::from(missing));
    }
    HttpResponse::Ok().json(document)
}

/// One service's document, or `None` when it cannot be had (down, no
/// document, not JSON): the rest is still served.
async fn fetch(gateway: &Gateway, service: Service) -> Option<Value> {
    let instance = gateway.balancer(service).pick()?;
    let url = format!("{}/api/{}/openapi.json", instance.base, service.name());
    let request = gateway
        .client
        .get(url)
        .timeout(Duration::from_secs(3))
        .header("x-tonearm-internal-token", &gateway.settings.internal_token);
    let response = request.send().await.ok()?;
    if !response.status().is_success() {
        return None;
    }
    response.json::<Value>().await.ok().filter(Value::is_object)
}

/// Adds the other document's paths, schemas and tags; on a clash the
/// entry already present wins.
fn merge(into: &mut Value, other: &Value) {
    for pointer in [
        "/paths",
        "/components/schemas",
        "/components/responses",
        "/components/parameters",
    ] {
        let Some(source) = other.pointer(pointer).and_then(Value::as_object) else {
            continue;
        };
        let Some(target) = object_at(into, pointer) else {
            continue;
        };
        for (key, value) in source {
            // Service-to-service routes are not reachable through the gateway.
            if pointer == "/paths" && key.contains("/internal/") {
                continue;
            }
            target.entry(key.clone()).or_insert_with(|| value.clone());
        }
    }
    let tags = other.get("tags").and_then(Value::as_array);
    let list = into
        .as_object_mut()
        .map(|root| root.entry("tags").or_insert_with(|| Value::Array(Vec::new())))
        .and_then(Value::as_array_mut);
    if let (Some(tags), Some(list)) = (tags, list) {
        for tag in tags {
            let name = tag.get("name");
            if !list.iter().any(|existing| existing.get("name") == name) {
                list.push(tag.clone());
            }
        }
    }
}

/// The object at `pointer` (`/a/b`), created when missing.
fn object_at<'a>(value: &'a mut Value, pointer: &str) -> Option<&'a mut Map<String, Value>> {
    let mut current = ensure_object(value)?;
    for part in pointer.split('/').filter(|part| !part.is_empty()) {
        let child = current
            .entry(part.to_owned())
            .or_insert_with(|| Value::Object(Map::new()));
        current = ensure_object(child)?;
    }
    Some(current)
}

fn ensure_object(value: &mut Value) -> Option<&mut Map<String, Value>> {
    if !value.is_object() {
        *value = Value::Object(Map::new());
    }
    value.as_object_mut()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn paths_and_schemas_of_services_are_added() {
        let mut document = json!({"paths": {"/api/auth/me": {}}, "components": {"schemas": {"Me": {}}}});
        let catalog = json!({
            "paths": {"/api/catalog/songs": {"get": {}}, "/api/catalog/internal/x": {"post": {}}},
            "components": {"schemas": {"Song": {}}},
            "tags": [{"name": "songs"}]
        });
        merge(&mut document, &catalog);
        assert!(document.pointer("/paths/~1api~1catalog~1songs/get").is_some());
        assert!(document.pointer("/components/schemas/Song").is_some());
        assert!(document.pointer("/paths/~1api~1auth~1me").is_some());
        assert!(document.pointer("/paths/~1api~1catalog~1internal~1x").is_none());
        assert_eq!(document["tags"][0]["name"], "songs");
    }
}

#[cfg(test)]
mod document_tests {
    use utoipa::OpenApi as _;

    use super::GatewayApi;

    #[test]
    fn the_gateway_document_describes_its_routes_and_fields() {
        let document = serde_json::to_value(GatewayApi::openapi()).expect("serialises");
        if let Ok(path) = std::env::var("TONEARM_WRITE_GATEWAY_OPENAPI") {
            std::fs::write(path, serde_json::to_string_pretty(&document).expect("text")).expect("write");
        }
        for (path, method) in [
            ("/api/auth/login", "post"),
            ("/api/auth/logout", "post"),
            ("/api/auth/me", "get"),
            ("/api/auth/password", "post"),
            ("/api/admin/users", "get"),
            ("/api/admin/users", "post"),
            ("/api/admin/users/{id}", "patch"),
            ("/api/admin/users/{id}", "delete"),
            ("/api/admin/users/{id}/password", "post"),
        ] {
            assert!(document["paths"][path][method].is_object(), "{method} {path}");
        }
        let user = &document["components"]["schemas"]["UserView"]["properties"];
        for field in ["id", "username", "role", "disabled", "created_at"] {
            assert!(user[field].is_object(), "UserView.{field}");
        }
    }
}
