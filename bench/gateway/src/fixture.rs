//! The stand-in service: a catalog-sized JSON answer, a large body served
//! from memory as fast as the client reads, and a slow trickle for holding
//! many streams open.

use std::{net::TcpListener, time::Duration};

use actix_web::{App, HttpResponse, HttpServer, body::SizedStream, web};

use crate::Result;

/// Starts the service on its own thread and returns its base URL.
pub fn start() -> Result<String> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let url = format!("http://127.0.0.1:{}", listener.local_addr()?.port());
    std::thread::spawn(move || {
        let system = actix_web::rt::System::new();
        system.block_on(async move {
            let server = HttpServer::new(|| {
                App::new()
                    .route(
                        "/healthz",
                        web::get().to(|| async { HttpResponse::Ok().finish() }),
                    )
                    .route("/api/catalog/songs", web::get().to(songs))
                    .route("/api/stream/big", web::get().to(big))
                    .route("/api/stream/trickle", web::get().to(trickle))
            })
            .workers(1)
            .max_connections(50_000)
            .listen(listener);
            if let Ok(server) = server {
                let _ = server.run().await;
            }
        });
    });
    Ok(url)
}

async fn songs() -> HttpResponse {
    let items: Vec<_> = (0..20)
        .map(|i| serde_json::json!({"id": format!("00000000-0000-4000-8000-{i:012}"), "title": "A song", "artist": "Someone", "duration_ms": 215_000}))
        .collect();
    HttpResponse::Ok().json(serde_json::json!({"items": items, "next": null}))
}

#[derive(serde::Deserialize)]
struct BigQuery {
    size: u64,
}

async fn big(query: web::Query<BigQuery>) -> HttpResponse {
    let size = query.size;
    let chunk = web::Bytes::from(vec![0x55_u8; 256 * 1024]);
    let stream = futures_util::stream::unfold(0_u64, move |sent| {
        let chunk = chunk.clone();
        async move {
            if sent >= size {
                return None;
            }
            let n = (size - sent).min(chunk.len() as u64) as usize;
            Some((Ok::<_, std::io::Error>(chunk.slice(..n)), sent + n as u64))
        }
    });
    HttpResponse::Ok()
        .content_type("audio/mpeg")
        .body(SizedStream::new(size, stream))
}

/// 16 KiB at once, then 1 KiB a second for an hour.
async fn trickle() -> HttpResponse {
    let first = web::Bytes::from(vec![0x55_u8; 16 * 1024]);
    let stream = futures_util::stream::unfold(0_u32, move |n| {
        let first = first.clone();
        async move {
            if n > 0 {
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
            let chunk = if n == 0 {
                first
            } else {
                web::Bytes::from(vec![0x55_u8; 1024])
            };
            (n < 3600).then_some((Ok::<_, std::io::Error>(chunk), n + 1))
        }
    });
    HttpResponse::Ok().content_type("audio/mpeg").streaming(stream)
}
