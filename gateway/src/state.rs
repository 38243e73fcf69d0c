//! What every gateway handler shares.

use actix_web::HttpRequest;

use crate::{
    auth::{
        Caller, SECURE_SESSION_COOKIE, SESSION_COOKIE, Session, accounts::AccountCache,
        rate_limit::LoginLimiter, sessions::SessionStore, users::UserStore,
    },
    error::GatewayError,
    proxy::{
        balancer::{Balancer, Service},
        headers::Fixed,
        upstream::Clients,
    },
    settings::GatewaySettings,
};

/// The gateway's shared state (one per process, behind `web::Data`).
pub struct Gateway {
    pub settings: GatewaySettings,
    /// Upstream header values built once from the settings.
    pub fixed_headers: Fixed,
    /// For the gateway's own requests (API documents).
    pub client: reqwest::Client,
    /// For relayed requests (see `proxy::upstream`).
    pub upstream: Clients,
    pub catalog: Balancer,
    pub stream: Balancer,
    pub events: Balancer,
    /// The events service's WebSocket listeners, for `/ws`.
    pub events_ws: Balancer,
    pub sessions: SessionStore,
    pub users: UserStore,
    /// Accounts' current role and state, for every session check.
    pub accounts: AccountCache,
    pub limiter: LoginLimiter,
    /// API keys and app passwords of Subsonic apps.
    pub subsonic: crate::subsonic::credentials::Credentials,
    /// Each user's favourites, for the `starred` marks of Subsonic answers.
    pub starred_times: crate::subsonic::starred_marks::StarredTimes,
    /// Catalog lists kept by their `ETag` (the artist index).
    pub kept_lists: crate::subsonic::kept::KeptLists,
    /// Plays and last plays of songs, from the stats consumer's keys.
    pub play_figures: crate::subsonic::play_figures::PlayFigures,
    /// The albums of ranked songs, remembered for the Subsonic album lists.
    pub song_albums: crate::subsonic::song_albums::SongAlbums,
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

    /// The caller as the session cookie says, with the account's current
    /// role (cached for `TONEARM_ACCOUNT_CACHE_MS`); a missing, forged or
    /// expired cookie, or a disabled or deleted account, is simply anonymous.
    pub async fn caller(&self, req: &HttpRequest) -> Result<Caller, GatewayError> {
        self.resolve(req, false).await
    }

    /// As [`Self::caller`], with the account read from PostgreSQL now (admin
    /// actions: a demoted admin is refused at once).
    pub async fn caller_checked_now(&self, req: &HttpRequest) -> Result<Caller, GatewayError> {
        self.resolve(req, true).await
    }

    async fn resolve(&self, req: &HttpRequest, fresh: bool) -> Result<Caller, GatewayError> {
        let Some(cookie) = self.session_id(req) else {
            return Ok(Caller::Anonymous);
        };
        let session = self.sessions.get(&cookie).await.map_err(|error| {
            tracing::error!(error = format!("{error:#}"), "session store unavailable");
            GatewayError::Unavailable {
                service: "session store",
            }
        })?;
        let Some(session) = session else {
            return Ok(Caller::Anonymous);
        };
        Ok(self
            .current(session, fresh)
            .await?
            .map_or(Caller::Anonymous, Caller::Signed))
    }

    /// The session with its account's current role and name; `None` (and
    /// the session ended) when the account was disabled or deleted.
    pub async fn current(&self, mut session: Session, fresh: bool) -> Result<Option<Session>, GatewayError> {
        let user_id = session.data.user_id;
        let account = if fresh {
            self.accounts.fresh(user_id).await
        } else {
            self.accounts.current(user_id).await
        };
        let account = account.map_err(|error| {
            tracing::error!(error = format!("{error:#}"), "account store unavailable");
            GatewayError::Unavailable {
                service: "account store",
            }
        })?;
        let Some(account) = account else {
            if let Err(error) = self.sessions.delete(&session).await {
                tracing::warn!(
                    error = format!("{error:#}"),
                    "could not end a disabled account's session"
                );
            }
            return Ok(None);
        };
        session.data.role = account.role;
        session.data.username = account.username;
        Ok(Some(session))
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

    /// The client's address: the TCP peer, or, when the peer is a trusted
    /// proxy, the right-most untrusted `X-Forwarded-For` hop.
    pub fn client_addr(&self, req: &HttpRequest) -> Option<String> {
        let peer = req.peer_addr()?.ip();
        let forwarded = header_values(req, "x-forwarded-for");
        Some(self.settings.trusted_proxies.client(peer, &forwarded).to_string())
    }

    /// True when the client reached the gateway over https: TLS on this
    /// connection, or `X-Forwarded-Proto: https` from a trusted proxy.
    pub fn is_https(&self, req: &HttpRequest) -> bool {
        let proto = header_values(req, "x-forwarded-proto");
        self.settings.trusted_proxies.is_https(
            req.peer_addr().map(|addr| addr.ip()),
            req.app_config().secure(),
            &proto,
        )
    }

    /// The session cookie's name for this request: `__Host-` prefixed over
    /// https, where the plain name is not read (a cookie planted over http
    /// or by a subdomain cannot choose the session).
    pub fn session_cookie_name(&self, req: &HttpRequest) -> &'static str {
        if self.is_https(req) {
            SECURE_SESSION_COOKIE
        } else {
            SESSION_COOKIE
        }
    }

    /// The session id from the request's cookie, if any.
    pub fn session_id(&self, req: &HttpRequest) -> Option<String> {
        cookie(req, self.session_cookie_name(req))
    }
}

fn header_values<'a>(req: &'a HttpRequest, name: &str) -> Vec<&'a str> {
    req.headers()
        .get_all(name)
        .filter_map(|value| value.to_str().ok())
        .collect()
}

/// The value of the cookie `name`, if any.
fn cookie(req: &HttpRequest, name: &str) -> Option<String> {
    req.headers()
        .get_all(actix_web::http::header::COOKIE)
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(found, _)| found.trim() == name)
        .map(|(_, value)| value.trim().trim_matches('"').to_owned())
}
