//! A stand-in for catalog-service on loopback: it knows a fixed set of
//! songs and, like the real one with a token configured, answers only
//! requests that carry the internal token.

use std::{
    collections::HashMap,
    net::TcpListener,
    sync::{Arc, Mutex},
};

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};

use crate::helpers::TOKEN;

#[derive(Default)]
pub struct Asked {
    /// Requests per song id.
    pub songs: Mutex<HashMap<String, usize>>,
}

impl Asked {
    pub fn times(&self, song: &str) -> usize {
        self.songs.lock().expect("lock").get(song).copied().unwrap_or(0)
    }
}

pub struct CatalogStandIn {
    pub url: reqwest::Url,
    pub asked: Arc<Asked>,
}

struct Known(Vec<String>);

/// Starts the stand-in on a free port (inside a tokio runtime).
pub fn spawn(known: &[&str]) -> CatalogStandIn {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a free port");
    let port = listener.local_addr().expect("address").port();
    let asked = Arc::new(Asked::default());
    let asked_data = web::Data::from(Arc::clone(&asked));
    let known = web::Data::new(Known(known.iter().map(|song| (*song).to_owned()).collect()));
    let server = HttpServer::new(move || {
        App::new()
            .app_data(asked_data.clone())
            .app_data(known.clone())
            .route("/api/catalog/songs/{id}", web::get().to(song))
    })
    .workers(1)
    .listen(listener)
    .expect("listen")
    .run();
    tokio::spawn(server);
    CatalogStandIn {
        url: format!("http://127.0.0.1:{port}").parse().expect("url"),
        asked,
    }
}

async fn song(
    req: HttpRequest,
    id: web::Path<String>,
    known: web::Data<Known>,
    asked: web::Data<Asked>,
) -> HttpResponse {
    let token = req
        .headers()
        .get("x-tonearm-internal-token")
        .and_then(|value| value.to_str().ok());
    if token != Some(TOKEN) {
        return HttpResponse::Unauthorized()
            .json(serde_json::json!({"error": {"code": "internal_token_required", "message": "", "request_id": null}}));
    }
    *asked.songs.lock().expect("lock").entry(id.clone()).or_default() += 1;
    if known.0.contains(&id) {
        HttpResponse::Ok().json(serde_json::json!({"id": *id, "title": "A song"}))
    } else {
        HttpResponse::NotFound()
            .json(serde_json::json!({"error": {"code": "not_found", "message": "", "request_id": null}}))
    }
}
