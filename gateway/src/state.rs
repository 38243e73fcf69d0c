//! What every gateway handler shares.

use std::sync::Arc;

use actix_web::HttpRequest;

use crate::{
    auth::{Caller, SESSION_COOKIE, rate_limit::LoginLimiter, sessions::SessionStore, users::UserStore},
    error::GatewayError,
    proxy::{
        balancer::{Balancer, Service},
        metrics::ProxyMetrics,
    },
    settings::GatewaySettings,
};

/// The gateway's shared state (one per process, behind `web::Data`).
pub struct Gateway {
    pub settings: GatewaySettings,
    pub client: reqwest::Client,
    pub catalog: Balancer,
    pub stream: Balancer,
    pub events: Balancer,
    /// The events service's WebSocket listeners, for `/ws`.
    pub events_ws: Balancer,
    pub sessions: SessionStore,
    pub users: UserStore,
    pub limiter: LoginLimiter,
    pub metrics: Arc<ProxyMetrics>,
}

impl Gateway {
    pub fn balancer(&self, service: Service) -> &Balancer {
        match service {
            Service::Catalog => &self.catalog,
            Service::Stream => &self.stream,
            Service::Events => &self.events,
            Service::EventsSocket => &self.events_ws,
        }
    }

    /// The caller as the session cookie says; a missing, forged or expired
    /// cookie is simply anonymous.
    pub async fn caller(&self, req: &HttpRequest) -> Result<Caller, GatewayError> {
        let Some(cookie) = session_cookie(req) else {
            return Ok(Caller::Anonymous);
        };
        let session = self.sessions.get(&cookie).await.map_err(|error| {
            tracing::error!(error = format!("{error:#}"), "session store unavailable");
            GatewayError::Unavailable {
                service: "session store",
            }
        })?;
        Ok(session.map_or(Caller::Anonymous, Caller::Signed))
    }

    /// The caller of a route that needs a session unless anonymous
    /// listening is enabled.
    pub async fn caller_for_service(&self, req: &HttpRequest) -> Result<Caller, GatewayError> {
        let caller = self.caller(req).await?;
        if caller.session().is_none() && !self.settings.allow_anonymous {
            return Err(GatewayError::NotSignedIn);
        }
        Ok(caller)
    }

    /// The client's address: the TCP peer, or the first `X-Forwarded-For`
    /// entry when the gateway is configured to trust its proxy.
    pub fn client_addr(&self, req: &HttpRequest) -> Option<String> {
        if self.settings.trust_forwarded_for {
            let info = req.connection_info();
            if let Some(addr) = info.realip_remote_addr() {
                return Some(strip_port(addr));
            }
        }
        req.peer_addr().map(|addr| addr.ip().to_string())
    }

    /// True when the client reached the gateway (or its TLS proxy) over https.
    pub fn is_https(&self, req: &HttpRequest) -> bool {
        req.connection_info().scheme() == "https"
    }
}

fn strip_port(addr: &str) -> String {
    match addr.parse::<std::net::SocketAddr>() {
        Ok(socket) => socket.ip().to_string(),
        Err(_) => addr.to_owned(),
    }
}

/// The value of the `tonearm_session` cookie, if any.
pub fn session_cookie(req: &HttpRequest) -> Option<String> {
    req.headers()
        .get_all(actix_web::http::header::COOKIE)
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| name.trim() == SESSION_COOKIE)
        .map(|(_, value)| value.trim().trim_matches('"').to_owned())
}
