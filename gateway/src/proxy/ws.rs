//! `/ws`: the client's WebSocket is relayed frame by frame to an
//! events-service instance's WebSocket listener (`TONEARM_EVENTS_WS_URL`),
//! both ways, close codes kept. The upstream
//! connection is opened first, so a client whose service is down gets a
//! 503 instead of a socket that closes at once. Sockets have no timeout.

use std::time::Instant;

use actix_web::{HttpRequest, HttpResponse, web};
use actix_ws::{AggregatedMessage, AggregatedMessageStream, CloseCode, CloseReason, Session};
use futures_util::{SinkExt as _, StreamExt as _};
use tokio_tungstenite::{
    MaybeTlsStream, WebSocketStream,
    tungstenite::{
        Message,
        client::IntoClientRequest as _,
        protocol::{CloseFrame, frame::coding::CloseCode as UpCloseCode},
    },
};

use super::{balancer::Service, metrics::Outcome};
use crate::{auth::Role, error::GatewayError, state::Gateway};

type Upstream = WebSocketStream<MaybeTlsStream<tokio::net::TcpStream>>;

/// Largest message relayed (after joining continuation frames).
const MAX_MESSAGE: usize = 1024 * 1024;

/// The `/ws` handler.
pub async fn relay(
    req: HttpRequest,
    payload: web::Payload,
    gateway: web::Data<Gateway>,
) -> Result<HttpResponse, GatewayError> {
    let caller = gateway.caller_for_service(&req).await?;
    if !is_upgrade(&req) {
        return Err(GatewayError::NotWebSocket);
    }
    if !crate::auth::csrf::same_origin(&req, &gateway.settings.public_origins) {
        return Err(GatewayError::CrossOrigin);
    }
    let mut upstream_headers = super::forward::upstream_headers(&req, &gateway, &caller);
    // The WebSocket client writes its own handshake headers.
    for name in [
        "sec-websocket-key",
        "sec-websocket-version",
        "sec-websocket-extensions",
    ] {
        upstream_headers.remove(name);
    }
    let (upstream, protocol) = connect(&gateway, &req, upstream_headers).await?;
    let (mut response, session, messages) =
        actix_ws::handle(&req, payload).map_err(|_| GatewayError::NotWebSocket)?;
    if let Some(protocol) = protocol {
        response
            .headers_mut()
            .insert(actix_web::http::header::SEC_WEBSOCKET_PROTOCOL, protocol);
    }
    let messages = messages
        .max_frame_size(MAX_MESSAGE)
        .aggregate_continuations()
        .max_continuation_size(MAX_MESSAGE);
    let watch = caller.session().map(|signed| SessionWatch {
        gateway: gateway.clone(),
        id: signed.id.clone(),
        role: signed.data.role,
    });
    actix_web::rt::spawn(pump(session, messages, upstream, watch));
    Ok(response)
}

fn is_upgrade(req: &HttpRequest) -> bool {
    req.headers()
        .get(actix_web::http::header::UPGRADE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.eq_ignore_ascii_case("websocket"))
}

/// Opens the upstream socket on the next healthy instance, trying each once.
async fn connect(
    gateway: &Gateway,
    req: &HttpRequest,
    headers: reqwest::header::HeaderMap,
) -> Result<(Upstream, Option<actix_web::http::header::HeaderValue>), GatewayError> {
    let balancer = gateway.balancer(Service::EventsSocket);
    let service = Service::EventsSocket.name();
    let path_and_query = req.uri().path_and_query().map_or("/ws", |pq| pq.as_str());
    for _ in 0..balancer.len().max(1) {
        let instance = balancer.pick().ok_or(GatewayError::Unavailable { service })?;
        // The URLs are ws:// or wss:// (see `common::settings::socket_urls`).
        let target = format!("{}{}", instance.base, path_and_query);
        let mut request = target
            .as_str()
            .into_client_request()
            .map_err(|error| anyhow::anyhow!("building the upstream socket request: {}", describe(&error)))?;
        for (name, value) in &headers {
            request.headers_mut().append(name.clone(), value.clone());
        }
        let started = Instant::now();
        let attempt = tokio::time::timeout(
            gateway.settings.connect_timeout,
            tokio_tungstenite::connect_async(request),
        )
        .await;
        match attempt {
            Ok(Ok((socket, response))) => {
                balancer.mark_up(instance);
                instance.metrics.observe(Outcome::Ok, started.elapsed());
                let protocol = response
                    .headers()
                    .get("sec-websocket-protocol")
                    .and_then(|value| {
                        actix_web::http::header::HeaderValue::from_bytes(value.as_bytes()).ok()
                    });
                return Ok((socket, protocol));
            }
            Ok(Err(error)) => {
                let error = describe(&error);
                tracing::warn!(instance = %instance.label, %error, "upstream socket refused");
                instance.metrics.observe(Outcome::Error, started.elapsed());
                balancer.mark_down(instance);
            }
            Err(_) => {
                instance.metrics.observe(Outcome::Timeout, started.elapsed());
                balancer.mark_down(instance);
            }
        }
    }
    Err(GatewayError::Unavailable { service })
}

/// The session a socket was opened with, checked now and then so a socket
/// does not outlive a sign-out, a disabled or deleted account, or the role
/// the service was told at the upgrade.
struct SessionWatch {
    gateway: web::Data<Gateway>,
    id: String,
    role: Role,
}

impl SessionWatch {
    /// False once the session is gone, its account disabled or deleted, or
    /// its role changed (the client reconnects with the new one); a Redis
    /// or PostgreSQL hiccup keeps the socket.
    async fn still_valid(&self) -> bool {
        let session = match self.gateway.sessions.get(&self.id).await {
            Ok(Some(session)) => session,
            Ok(None) => return false,
            Err(error) => {
                tracing::warn!(
                    error = format!("{error:#}"),
                    "could not re-check a socket's session"
                );
                return true;
            }
        };
        match self.gateway.current(session, false).await {
            Ok(Some(current)) => current.data.role == self.role,
            Ok(None) => false,
            Err(_) => true,
        }
    }
}

/// Relays until either side closes; the other side then gets the same
/// close code and reason. A socket whose session ended is closed with 1008
/// (policy violation) on both sides.
async fn pump(
    mut session: Session,
    mut client: AggregatedMessageStream,
    upstream: Upstream,
    watch: Option<SessionWatch>,
) {
    let (mut up_sink, mut up_stream) = upstream.split();
    let period = watch
        .as_ref()
        .map_or(std::time::Duration::from_secs(3600), |watch| {
            watch.gateway.settings.socket_session_check
        });
    let mut checks = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
    loop {
        tokio::select! {
            _ = checks.tick(), if watch.is_some() => {
                if let Some(watch) = &watch && !watch.still_valid().await {
                    let reason = "the session ended";
                    let _ = up_sink.send(Message::Close(Some(CloseFrame { code: UpCloseCode::Policy, reason: reason.into() }))).await;
                    let _ = session.close(Some(CloseReason { code: CloseCode::Policy, description: Some(reason.into()) })).await;
                    return;
                }
            }
            from_client = client.next() => {
                let message = match from_client {
                    Some(Ok(AggregatedMessage::Text(text))) => Message::text(text.to_string()),
                    Some(Ok(AggregatedMessage::Binary(bytes))) => Message::binary(bytes),
                    // The gateway answers pings itself; each hop keeps its own liveness.
                    Some(Ok(AggregatedMessage::Ping(bytes))) => {
                        if session.pong(&bytes).await.is_err() { break; }
                        continue;
                    }
                    Some(Ok(AggregatedMessage::Pong(_))) => continue,
                    Some(Ok(AggregatedMessage::Close(reason))) => {
                        let _ = up_sink.send(Message::Close(reason.clone().map(to_upstream_close))).await;
                        // The service's close reply (briefly awaited) goes back to the client.
                        let reply = tokio::time::timeout(std::time::Duration::from_secs(2), async {
                            while let Some(Ok(message)) = up_stream.next().await {
                                if let Message::Close(frame) = message { return frame.map(to_client_close); }
                            }
                            None
                        }).await.ok().flatten();
                        let _ = session.close(reply.or(reason)).await;
                        return;
                    }
                    Some(Err(error)) => {
                        tracing::debug!(%error, "client socket protocol error");
                        let _ = up_sink.send(Message::Close(Some(CloseFrame {
                            code: UpCloseCode::Protocol,
                            reason: "client protocol error".into(),
                        }))).await;
                        let _ = session.close(Some(CloseCode::Protocol.into())).await;
                        return;
                    }
                    None => {
                        let _ = up_sink.send(Message::Close(None)).await;
                        return;
                    }
                };
                if up_sink.send(message).await.is_err() {
                    let _ = session.close(Some(CloseCode::Away.into())).await;
                    return;
                }
            }
            from_upstream = up_stream.next() => {
                let sent = match from_upstream {
                    Some(Ok(Message::Text(text))) => session.text(text.as_str().to_owned()).await,
                    Some(Ok(Message::Binary(bytes))) => session.binary(bytes).await,
                    // tungstenite answers the service's pings itself.
                    Some(Ok(Message::Ping(_) | Message::Pong(_) | Message::Frame(_))) => Ok(()),
                    Some(Ok(Message::Close(frame))) => {
                        let _ = session.close(frame.map(to_client_close)).await;
                        let _ = up_sink.close().await;
                        return;
                    }
                    Some(Err(_)) | None => {
                        let _ = session.close(Some(CloseCode::Away.into())).await;
                        return;
                    }
                };
                if sent.is_err() {
                    let _ = up_sink.send(Message::Close(Some(CloseFrame {
                        code: UpCloseCode::Away,
                        reason: "client went away".into(),
                    }))).await;
                    return;
                }
            }
        }
    }
    let _ = up_sink.close().await;
}

/// An upstream socket error for the logs, without any URL (its query string
/// is the client's).
fn describe(error: &tokio_tungstenite::tungstenite::Error) -> String {
    use tokio_tungstenite::tungstenite::Error;
    match error {
        Error::Url(_) => "unusable socket URL".into(),
        Error::Http(response) => format!("HTTP {}", response.status()),
        other => other.to_string(),
    }
}

fn to_upstream_close(reason: CloseReason) -> CloseFrame {
    CloseFrame {
        code: UpCloseCode::from(u16::from(reason.code)),
        reason: reason.description.unwrap_or_default().into(),
    }
}

fn to_client_close(frame: CloseFrame) -> CloseReason {
    let description = frame.reason.as_str();
    CloseReason {
        code: CloseCode::from(u16::from(frame.code)),
        description: (!description.is_empty()).then(|| description.to_owned()),
    }
}
