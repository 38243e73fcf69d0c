//! The one way Tonearm services fetch URLs that users gave them: an
//! SSRF-safe HTTP client.
//!
//! Only `http` and `https` are fetched. Every address a name resolves to is
//! checked by a custom DNS resolver at connection time (so a name cannot be
//! re-pointed between the check and the connection), IP literals are checked
//! before the request, redirects are followed here (not by reqwest) so each
//! hop is checked again, and size, time and redirect counts are bounded.
//! Loopback, private, link-local, unique-local, carrier-grade NAT,
//! unspecified, multicast and the cloud metadata address are refused, in
//! their IPv4-mapped and IPv4-compatible IPv6 forms too, unless the host is
//! on the allow-list (`TONEARM_FETCH_ALLOW_HOSTS`). The guard itself cannot
//! be switched off.

mod address;
#[cfg(test)]
mod tests;

use std::{sync::Arc, time::Duration};

use bytes::Bytes;
use reqwest::{
    Response, StatusCode, Url,
    header::{self, HeaderMap},
    redirect,
};
use serde::{Deserialize, Serialize};
use url::Host;

pub use address::refusal;
use address::{AllowedNames, GuardedResolver, RefusedResolution};

use crate::settings::SettingsError;

/// The raw setting any service that fetches URLs reads:
/// `TONEARM_FETCH_ALLOW_HOSTS`, comma-separated `host` or `host:port`
/// entries that may resolve to private addresses (default: none).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct RawFetchSettings {
    pub fetch_allow_hosts: String,
}

impl RawFetchSettings {
    /// The validated allow-list entries.
    pub fn allow_hosts(&self) -> Result<Vec<String>, SettingsError> {
        let entries: Vec<String> = self
            .fetch_allow_hosts
            .split(',')
            .map(str::trim)
            .filter(|entry| !entry.is_empty())
            .map(str::to_owned)
            .collect();
        for entry in &entries {
            AllowEntry::parse(entry).map_err(|reason| SettingsError::new("fetch_allow_hosts", reason))?;
        }
        Ok(entries)
    }
}

/// Limits and the allow-list of one [`Fetcher`].
#[derive(Debug, Clone)]
pub struct FetchPolicy {
    /// `host` or `host:port` entries that may resolve to private addresses.
    pub allow_private_hosts: Vec<String>,
    /// Largest body [`Fetcher::get_bytes`] reads.
    pub max_bytes: u64,
    /// Time to the response headers ([`Fetcher::get`]) or the whole body
    /// ([`Fetcher::get_bytes`]); also the longest pause while streaming.
    pub timeout: Duration,
    pub connect_timeout: Duration,
    pub max_redirects: usize,
}

impl FetchPolicy {
    /// Defaults: 10 MiB, 30 s, 10 s to connect, 5 redirects.
    pub fn new(allow_private_hosts: Vec<String>) -> Self {
        Self {
            allow_private_hosts,
            max_bytes: 10 * 1024 * 1024,
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            max_redirects: 5,
        }
    }
}

/// Why a fetch did not give a usable response.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// The scheme or the address is not allowed by the policy.
    #[error("{url} is refused: {reason}")]
    Refused { url: Url, reason: String },
    #[error("{url}: more than {max} redirects")]
    TooManyRedirects { url: Url, max: usize },
    #[error("{url}: the body is larger than {max_bytes} bytes")]
    TooLarge { url: Url, max_bytes: u64 },
    #[error("{url}: no answer in time")]
    Timeout { url: Url },
    /// The connection failed or broke (DNS, TCP, TLS, a body cut short).
    #[error("{url}: {message}")]
    Connect { url: Url, message: String },
    /// The origin answered with a 4xx or 5xx status.
    #[error("{url} answered {status}")]
    Status { url: Url, status: StatusCode },
    /// The policy itself is malformed (an allow-list entry) or the client
    /// could not be built.
    #[error("invalid fetch policy: {0}")]
    Policy(String),
}

/// One parsed allow-list entry.
#[derive(Debug, Clone, PartialEq, Eq)]
struct AllowEntry {
    host: String,
    port: Option<u16>,
}

impl AllowEntry {
    fn parse(entry: &str) -> Result<Self, String> {
        let invalid = || format!("expected host or host:port entries, got {entry:?}");
        let (host, port) = if let Some(rest) = entry.strip_prefix('[') {
            let (host, after) = rest.split_once(']').ok_or_else(invalid)?;
            (host, after.strip_prefix(':'))
        } else if entry.matches(':').count() == 1 {
            let (host, port) = entry.split_once(':').ok_or_else(invalid)?;
            (host, Some(port))
        } else {
            (entry, None)
        };
        let port = port
            .map(|port| port.parse::<u16>().map_err(|_| invalid()))
            .transpose()?;
        let host = normalise_host(host).ok_or_else(invalid)?;
        Ok(Self { host, port })
    }
}

/// Lower-case names, canonical IP text; `None` for an empty or invalid host.
fn normalise_host(host: &str) -> Option<String> {
    if let Ok(ip) = host.parse::<std::net::IpAddr>() {
        return Some(ip.to_string());
    }
    match Host::parse(host).ok()? {
        Host::Domain(name) if !name.is_empty() => Some(name.to_ascii_lowercase()),
        Host::Domain(_) => None,
        Host::Ipv4(ip) => Some(ip.to_string()),
        Host::Ipv6(ip) => Some(ip.to_string()),
    }
}

/// A pooled HTTP client that applies a [`FetchPolicy`] to every hop.
#[derive(Clone)]
pub struct Fetcher {
    client: reqwest::Client,
    policy: Arc<FetchPolicy>,
    allowed: Arc<Vec<AllowEntry>>,
}

impl Fetcher {
    pub fn new(policy: FetchPolicy) -> Result<Self, FetchError> {
        let allowed: Vec<AllowEntry> = policy
            .allow_private_hosts
            .iter()
            .map(|entry| AllowEntry::parse(entry))
            .collect::<Result<_, _>>()
            .map_err(FetchError::Policy)?;
        let names = AllowedNames(allowed.iter().map(|entry| entry.host.clone()).collect());
        let client = reqwest::Client::builder()
            .dns_resolver(Arc::new(GuardedResolver {
                allowed: Arc::new(names),
            }))
            // A proxy would resolve names itself, out of the guard's reach.
            .no_proxy()
            .redirect(redirect::Policy::none())
            .connect_timeout(policy.connect_timeout)
            .read_timeout(policy.timeout)
            .user_agent(concat!("Tonearm/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|error| FetchError::Policy(error.to_string()))?;
        Ok(Self {
            client,
            policy: Arc::new(policy),
            allowed: Arc::new(allowed),
        })
    }

    pub fn policy(&self) -> &FetchPolicy {
        &self.policy
    }

    /// Checks `url` against the scheme rule and, for IP literals and
    /// allow-listed names, the address rule (names are checked again by the
    /// resolver when connecting).
    pub fn check_url(&self, url: &Url) -> Result<(), FetchError> {
        let refused = |reason: String| FetchError::Refused {
            url: url.clone(),
            reason,
        };
        if !matches!(url.scheme(), "http" | "https") {
            return Err(refused(format!(
                "only http and https are fetched, not {}",
                url.scheme()
            )));
        }
        let host = url.host().ok_or_else(|| refused("the URL has no host".into()))?;
        let port = url.port_or_known_default();
        let (name, ip) = match host {
            Host::Domain(name) => (name.to_ascii_lowercase(), None),
            Host::Ipv4(ip) => (ip.to_string(), Some(ip.into())),
            Host::Ipv6(ip) => (ip.to_string(), Some(ip.into())),
        };
        let listed: Vec<&AllowEntry> = self.allowed.iter().filter(|entry| entry.host == name).collect();
        let allowed_here = listed
            .iter()
            .any(|entry| entry.port.is_none() || entry.port == port);
        if allowed_here {
            return Ok(());
        }
        if !listed.is_empty() {
            return Err(refused(format!("{name} is allow-listed only on other ports")));
        }
        match ip.and_then(refusal) {
            Some(reason) => Err(refused(format!("{name} is {reason}"))),
            None => Ok(()),
        }
    }

    /// GETs `url`, following redirects within the policy. Answers the first
    /// non-redirect response with a 1xx, 2xx or 3xx status, body unread.
    pub async fn get(&self, url: &Url, headers: HeaderMap) -> Result<Response, FetchError> {
        let mut current = url.clone();
        let mut headers = headers;
        for _ in 0..=self.policy.max_redirects {
            self.check_url(&current)?;
            let request = self.client.get(current.clone()).headers(headers.clone()).send();
            let response = tokio::time::timeout(self.policy.timeout, request)
                .await
                .map_err(|_| FetchError::Timeout { url: current.clone() })?
                .map_err(|error| classify(error, &current))?;
            let status = response.status();
            if let Some(next) = redirect_target(&response, &current)? {
                if next.origin() != current.origin() {
                    // Credentials meant for one origin never go to another.
                    for name in [header::AUTHORIZATION, header::COOKIE, header::PROXY_AUTHORIZATION] {
                        headers.remove(name);
                    }
                }
                current = next;
                continue;
            }
            if status.is_client_error() || status.is_server_error() {
                return Err(FetchError::Status { url: current, status });
            }
            return Ok(response);
        }
        Err(FetchError::TooManyRedirects {
            url: url.clone(),
            max: self.policy.max_redirects,
        })
    }

    /// GETs `url` and reads the whole body, refusing one over `max_bytes`.
    pub async fn get_bytes(
        &self,
        url: &Url,
        headers: HeaderMap,
    ) -> Result<(StatusCode, HeaderMap, Bytes), FetchError> {
        let read = async {
            let mut response = self.get(url, headers).await?;
            let final_url = response.url().clone();
            let max_bytes = self.policy.max_bytes;
            let too_large = || FetchError::TooLarge {
                url: final_url.clone(),
                max_bytes,
            };
            if response.content_length().is_some_and(|length| length > max_bytes) {
                return Err(too_large());
            }
            let mut body = Vec::new();
            while let Some(chunk) = response
                .chunk()
                .await
                .map_err(|error| classify(error, &final_url))?
            {
                if (body.len() + chunk.len()) as u64 > max_bytes {
                    return Err(too_large());
                }
                body.extend_from_slice(&chunk);
            }
            Ok((response.status(), response.headers().clone(), Bytes::from(body)))
        };
        tokio::time::timeout(self.policy.timeout, read)
            .await
            .map_err(|_| FetchError::Timeout { url: url.clone() })?
    }
}

/// The next URL when `response` is a redirect with a `Location`.
fn redirect_target(response: &Response, current: &Url) -> Result<Option<Url>, FetchError> {
    let status = response.status();
    let is_redirect = matches!(status.as_u16(), 301 | 302 | 303 | 307 | 308);
    let Some(location) = response.headers().get(header::LOCATION).filter(|_| is_redirect) else {
        return Ok(None);
    };
    let refused = |reason: &str| FetchError::Refused {
        url: current.clone(),
        reason: reason.into(),
    };
    let location = location
        .to_str()
        .map_err(|_| refused("the redirect location is not text"))?;
    current
        .join(location)
        .map(Some)
        .map_err(|_| refused("the redirect location is not a URL"))
}

/// Maps a transport error, finding a refusal by the resolver in its causes.
fn classify(error: reqwest::Error, url: &Url) -> FetchError {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(&error);
    while let Some(cause) = source {
        if let Some(refused) = cause.downcast_ref::<RefusedResolution>() {
            return FetchError::Refused {
                url: url.clone(),
                reason: refused.to_string(),
            };
        }
        source = cause.source();
    }
    if error.is_timeout() {
        return FetchError::Timeout { url: url.clone() };
    }
    let mut message = error.to_string();
    let mut cause = std::error::Error::source(&error);
    while let Some(inner) = cause {
        message = format!("{message}: {inner}");
        cause = inner.source();
    }
    FetchError::Connect {
        url: url.clone(),
        message,
    }
}
