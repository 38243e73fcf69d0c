//! Every gateway route, by prefix:
//! `/api/catalog/*` -> catalog, `/api/stream/*` -> stream, `/ws` and
//! `/api/events/*` -> events, `/api/auth/*`, `/api/admin/*` and `/api/docs`
//! here, `/metrics` -> 404 (it is on the ops listener), anything else -> the
//! web UI. All of them sit behind the path guard and the cross-origin check.

use actix_web::{
    HttpRequest, HttpResponse,
    middleware::{Compress, from_fn},
    web,
};

use crate::{
    auth, docs,
    proxy::{balancer::Service, forward, path, ws},
    state::Gateway,
    subsonic, web as web_ui,
};

/// Mounts the gateway's routes; `gateway` is shared by all workers.
pub fn configure(cfg: &mut web::ServiceConfig, gateway: web::Data<Gateway>) {
    cfg.app_data(gateway).service(
        web::scope("")
            .wrap(from_fn(auth::csrf::middleware))
            .wrap(from_fn(path::middleware))
            // The relayed prefixes first: actix tries routes in order, and
            // each dynamic one (`/api/admin/users/{id}`, `/rest/{method}`...)
            // costs a regex match, six of them per relayed request when these
            // came later. No other route starts with these prefixes.
            .service(proxied("/api/catalog", Service::Catalog))
            .service(proxied("/api/stream", Service::Stream))
            .service(proxied("/api/events", Service::Events))
            .configure(auth::routes::configure)
            .configure(auth::admin::configure)
            .configure(subsonic::configure)
            .service(
                web::scope("/api/docs")
                    .wrap(Compress::default())
                    .configure(docs::configure_scoped),
            )
            .route("/ws", web::get().to(ws::relay))
            // Served on the ops listener only (see `ops`), not as a page of the app.
            .route("/metrics", web::to(not_found))
            .service(
                web::resource("/{tail:.*}")
                    .wrap(Compress::default())
                    .route(web::get().to(web_ui::serve))
                    .route(web::head().to(web_ui::serve))
                    .default_service(web::to(not_found)),
            ),
    );
}

/// Every method under `prefix/` goes to `service`, except its internal
/// routes (`prefix/internal/...`), which are for services only.
fn proxied(prefix: &str, service: Service) -> actix_web::Scope {
    web::scope(prefix)
        .route("/internal/{tail:.*}", web::to(not_found))
        .route(
            "/{tail:.*}",
            web::to(
                move |req: HttpRequest, payload: web::Payload, gateway: web::Data<Gateway>| {
                    forward::forward(req, payload, gateway, service)
                },
            ),
        )
}

async fn not_found(req: HttpRequest) -> HttpResponse {
    common::http::not_found(req).await
}
