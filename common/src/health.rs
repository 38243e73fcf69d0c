//! `/healthz` (the process is alive) and `/readyz` (every dependency
//! answers). Readiness runs all checks concurrently, each bounded by the
//! readiness timeout, and lists each dependency with `ok` or its error.

use std::{collections::BTreeMap, sync::Arc, time::Duration};

use actix_web::{HttpResponse, web};
use futures_util::future::{BoxFuture, join_all};
use serde::{Deserialize, Serialize};

/// One dependency a service needs to do its work.
pub trait DependencyCheck: Send + Sync {
    /// The name shown in `/readyz` (`postgres`, `redis`, `kafka`, `catalog`...).
    fn name(&self) -> &str;
    /// `Ok` when the dependency answers; otherwise a short reason.
    fn check(&self) -> BoxFuture<'_, Result<(), String>>;
}

/// The dependencies of one service.
#[derive(Clone)]
pub struct Readiness {
    checks: Vec<Arc<dyn DependencyCheck>>,
    timeout: Duration,
}

/// The state of one dependency in the `/readyz` answer.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct CheckResult {
    /// `ok` or `error`.
    pub status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// The `/readyz` answer: `{"status":"ready"|"not_ready","checks":{name:{status,error}}}`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ReadinessReport {
    pub status: String,
    pub checks: BTreeMap<String, CheckResult>,
}

impl ReadinessReport {
    pub fn is_ready(&self) -> bool {
        self.status == "ready"
    }
}

impl Readiness {
    pub fn new(timeout: Duration) -> Self {
        Self {
            checks: Vec::new(),
            timeout,
        }
    }

    pub fn with(mut self, check: impl DependencyCheck + 'static) -> Self {
        self.checks.push(Arc::new(check));
        self
    }

    /// Runs every check concurrently.
    pub async fn report(&self) -> ReadinessReport {
        let results = join_all(self.checks.iter().map(|check| async move {
            let outcome = match tokio::time::timeout(self.timeout, check.check()).await {
                Ok(outcome) => outcome,
                Err(_) => Err(format!("no answer within {} ms", self.timeout.as_millis())),
            };
            (check.name().to_owned(), outcome)
        }))
        .await;
        let ready = results.iter().all(|(_, outcome)| outcome.is_ok());
        let checks = results
            .into_iter()
            .map(|(name, outcome)| {
                let result = match outcome {
                    Ok(()) => CheckResult {
                        status: "ok".into(),
                        error: None,
                    },
                    Err(error) => {
                        tracing::warn!(dependency = %name, %error, "dependency not ready");
                        CheckResult {
                            status: "error".into(),
                            error: Some(error),
                        }
                    }
                };
                (name, result)
            })
            .collect();
        ReadinessReport {
            status: if ready { "ready" } else { "not_ready" }.into(),
            checks,
        }
    }
}

/// `GET /healthz`: 200 while the process serves requests.
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({ "status": "ok" }))
}

/// `GET /readyz`: 200 when every dependency answers, 503 naming those that don't.
pub async fn readyz(readiness: web::Data<Readiness>) -> HttpResponse {
    let report = readiness.report().await;
    if report.is_ready() {
        HttpResponse::Ok().json(report)
    } else {
        HttpResponse::ServiceUnavailable().json(report)
    }
}

/// PostgreSQL answers `SELECT 1`.
pub struct PostgresCheck(pub sqlx::PgPool);

impl DependencyCheck for PostgresCheck {
    fn name(&self) -> &str {
        "postgres"
    }

    fn check(&self) -> BoxFuture<'_, Result<(), String>> {
        Box::pin(async move {
            sqlx::query("SELECT 1")
                .execute(&self.0)
                .await
                .map(drop)
                .map_err(|error| error.to_string())
        })
    }
}

/// Redis answers `PING` on a fresh connection (so a restarted server is seen
/// at once).
pub struct RedisCheck(pub redis::Client);

impl DependencyCheck for RedisCheck {
    fn name(&self) -> &str {
        "redis"
    }

    fn check(&self) -> BoxFuture<'_, Result<(), String>> {
        Box::pin(async move {
            let mut connection = self
                .0
                .get_multiplexed_async_connection_with_config(&crate::redis_conn::connection_config())
                .await
                .map_err(|error| error.to_string())?;
            redis::cmd("PING")
                .query_async::<String>(&mut connection)
                .await
                .map(drop)
                .map_err(|error| error.to_string())
        })
    }
}

/// Another service answers `GET {base}/healthz` with a success status.
pub struct HttpCheck {
    name: String,
    url: reqwest::Url,
    client: reqwest::Client,
}

impl HttpCheck {
    pub fn new(
        name: impl Into<String>,
        base: &reqwest::Url,
        client: reqwest::Client,
    ) -> Result<Self, String> {
        let url = base.join("healthz").map_err(|error| error.to_string())?;
        Ok(Self {
            name: name.into(),
            url,
            client,
        })
    }
}

impl DependencyCheck for HttpCheck {
    fn name(&self) -> &str {
        &self.name
    }

    fn check(&self) -> BoxFuture<'_, Result<(), String>> {
        Box::pin(async move {
            let response = self
                .client
                .get(self.url.clone())
                .send()
                .await
                .map_err(|error| format!("unreachable: {error}"))?;
            if response.status().is_success() {
                Ok(())
            } else {
                Err(format!("answered {}", response.status()))
            }
        })
    }
}

/// A listener that speaks no plain HTTP (a WebSocket port) accepts TCP
/// connections at the host and port of `url`.
pub struct TcpCheck {
    name: String,
    address: String,
}

impl TcpCheck {
    pub fn new(name: impl Into<String>, url: &reqwest::Url) -> Result<Self, String> {
        let host = url.host_str().ok_or_else(|| format!("{url} has no host"))?;
        let port = url
            .port_or_known_default()
            .ok_or_else(|| format!("{url} has no port"))?;
        Ok(Self {
            name: name.into(),
            address: format!("{host}:{port}"),
        })
    }
}

impl DependencyCheck for TcpCheck {
    fn name(&self) -> &str {
        &self.name
    }

    fn check(&self) -> BoxFuture<'_, Result<(), String>> {
        Box::pin(async move {
            tokio::net::TcpStream::connect(&self.address)
                .await
                .map(drop)
                .map_err(|error| format!("unreachable: {error}"))
        })
    }
}
