//! `GET /ws`: the WebSocket endpoint of the players.

mod limits;
mod session;

use std::sync::Arc;

use actix_web::{HttpMessage as _, HttpRequest, HttpResponse, web};
use common::request_id::RequestId;
use prometheus::IntGauge;

use crate::{hub::Hub, publisher::Publisher, settings::EventsSettings};

/// What every socket needs.
pub struct WsContext {
    pub publisher: Publisher,
    pub hub: Hub,
    pub settings: EventsSettings,
    pub instance: String,
    pub connections: IntGauge,
    /// Turns true when the service begins to stop: sockets close with 1012.
    pub closing: tokio::sync::watch::Receiver<bool>,
}

/// Who is at the other end of a socket.
#[derive(Debug, Clone)]
pub struct Identity {
    pub session: String,
    pub user: Option<String>,
    pub request_id: Option<String>,
}

/// Identity values come from the gateway; anything odd is ignored rather
/// than copied into events and logs.
fn header_value(req: &HttpRequest, name: &str) -> Option<String> {
    let value = req.headers().get(name)?.to_str().ok()?;
    let valid = (1..=128).contains(&value.len())
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'));
    valid.then(|| value.to_owned())
}

impl Identity {
    fn from_request(req: &HttpRequest) -> Self {
        Self {
            session: header_value(req, "x-tonearm-session")
                .unwrap_or_else(|| format!("anon-{}", uuid::Uuid::new_v4())),
            user: header_value(req, "x-tonearm-user"),
            request_id: req.extensions().get::<RequestId>().map(|id| id.0.clone()),
        }
    }
}

/// Upgrades the request and runs the session in its own task.
pub async fn route(
    req: HttpRequest,
    body: web::Payload,
    context: web::Data<WsContext>,
) -> Result<HttpResponse, actix_web::Error> {
    let (response, session, stream) = actix_ws::handle(&req, body)?;
    let limit = context.settings.max_frame_bytes;
    let stream = stream
        .max_frame_size(limit)
        .aggregate_continuations()
        .max_continuation_size(limit);
    let context: Arc<WsContext> = context.into_inner();
    actix_web::rt::spawn(session::run(
        context,
        Identity::from_request(&req),
        session,
        stream,
    ));
    Ok(response)
}
