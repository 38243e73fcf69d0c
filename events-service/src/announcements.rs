//! `POST /api/events/announcements` (admin) and `GET` of the latest ones.
//! An announcement is kept in a capped Redis list and published on the
//! announcements channel, so every instance pushes it to its clients.

use std::sync::Arc;

use actix_web::{HttpRequest, HttpResponse, web};
use common::{ApiError, stats_keys::StatsKeys};
use serde::Deserialize;

use crate::{protocol::Announcement, redis_conn::LazyRedis};

/// Announcement routes' state.
pub struct AnnouncementsContext {
    pub redis: Arc<LazyRedis>,
    pub keys: StatsKeys,
    pub kept: usize,
}

/// The body of `POST /api/events/announcements`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewAnnouncement {
    text: String,
    #[serde(default = "default_level")]
    level: String,
}

fn default_level() -> String {
    "info".into()
}

const MAX_TEXT: usize = 1000;

fn validate(body: NewAnnouncement, from: Option<String>) -> Result<Announcement, ApiError> {
    let text = body.text.trim().to_owned();
    if text.is_empty() || text.chars().count() > MAX_TEXT {
        return Err(ApiError::bad_request(
            "invalid_text",
            format!("text must have 1 to {MAX_TEXT} characters"),
        ));
    }
    if !matches!(body.level.as_str(), "info" | "warning" | "critical") {
        return Err(ApiError::bad_request(
            "invalid_level",
            format!("level must be info, warning or critical, got {:?}", body.level),
        ));
    }
    Ok(Announcement {
        id: uuid::Uuid::now_v7().to_string(),
        text,
        level: body.level,
        at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        from,
    })
}

fn require_admin(req: &HttpRequest) -> Result<Option<String>, ApiError> {
    let role = req
        .headers()
        .get("x-tonearm-role")
        .and_then(|value| value.to_str().ok());
    if role != Some("admin") {
        return Err(ApiError::forbidden("announcements are for administrators"));
    }
    Ok(req
        .headers()
        .get("x-tonearm-user")
        .and_then(|value| value.to_str().ok())
        .filter(|user| user.len() <= 128)
        .map(str::to_owned))
}

/// `POST /api/events/announcements` -> 201 with the announcement.
pub async fn create(
    req: HttpRequest,
    body: web::Json<NewAnnouncement>,
    context: web::Data<AnnouncementsContext>,
) -> Result<HttpResponse, ApiError> {
    let from = require_admin(&req)?;
    let announcement = validate(body.into_inner(), from)?;
    let json = serde_json::to_string(&announcement).map_err(ApiError::internal)?;
    let recent = context.keys.announcements_recent();
    let kept = isize::try_from(context.kept).unwrap_or(isize::MAX);
    let mut connection = context.redis.get().await.map_err(unavailable)?;
    let result: redis::RedisResult<()> = redis::pipe()
        .atomic()
        .lpush(&recent, &json)
        .ignore()
        .ltrim(&recent, 0, kept - 1)
        .ignore()
        .publish(context.keys.announcements(), &json)
        .ignore()
        .query_async(&mut connection)
        .await;
    if let Err(error) = result {
        context.redis.reset().await;
        return Err(unavailable(error));
    }
    Ok(HttpResponse::Created().json(announcement))
}

/// `GET /api/events/announcements` -> the kept announcements, newest first.
pub async fn list(context: web::Data<AnnouncementsContext>) -> Result<HttpResponse, ApiError> {
    let recent = read_recent(&context.redis, &context.keys, context.kept)
        .await
        .map_err(unavailable)?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "announcements": recent })))
}

/// The kept announcements, newest first; unreadable entries are skipped.
pub async fn read_recent(
    redis: &LazyRedis,
    keys: &StatsKeys,
    kept: usize,
) -> redis::RedisResult<Vec<Announcement>> {
    let mut connection = redis.get().await?;
    let stop = isize::try_from(kept).unwrap_or(isize::MAX) - 1;
    let raw: Vec<String> = redis::cmd("LRANGE")
        .arg(keys.announcements_recent())
        .arg(0)
        .arg(stop)
        .query_async(&mut connection)
        .await?;
    Ok(raw
        .iter()
        .filter_map(|text| serde_json::from_str(text).ok())
        .collect())
}

fn unavailable(error: redis::RedisError) -> ApiError {
    tracing::warn!(%error, "redis unavailable for announcements");
    ApiError::service_unavailable(
        "redis_unavailable",
        "announcements are unavailable right now; try again",
    )
}
