//! The OpenAPI document of the events service's HTTP API (the player
//! WebSocket protocol is described in docs/events.md). The gateway merges
//! it into `/api/docs`, and the web client's contract test checks against
//! a saved copy (`web/src/api/openapi/events.json`).

use utoipa::OpenApi;

use crate::{announcements, ops_stats};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Tonearm events",
        description = "Announcements to every listener and the live figures of the ops dashboard."
    ),
    paths(announcements::create, announcements::list, ops_stats::get),
    components(schemas(announcements::NewAnnouncement, announcements::Announcements, ops_stats::OpsStats)),
    tags((name = "events", description = "Announcements and live figures"))
)]
pub struct ApiDoc;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_document_describes_the_routes_and_fields() {
        let document = common::http::openapi_snapshot("events", &ApiDoc::openapi()).expect("the document");
        let mut routes: Vec<String> = document["paths"]
            .as_object()
            .expect("paths")
            .iter()
            .flat_map(|(path, item)| {
                item.as_object()
                    .into_iter()
                    .flatten()
                    .map(move |(method, _)| format!("{method} {path}"))
            })
            .collect();
        routes.sort();
        assert_eq!(
            routes,
            [
                "get /api/events/announcements",
                "get /api/events/stats",
                "post /api/events/announcements"
            ]
        );
        let stats = &document["components"]["schemas"]["OpsStats"]["properties"];
        for field in [
            "online",
            "plays_per_minute",
            "trending",
            "unique_listeners_today",
            "consumer",
        ] {
            assert!(stats[field].is_object(), "OpsStats.{field}");
        }
    }
}
