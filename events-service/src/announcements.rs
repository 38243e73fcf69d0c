//! `POST /api/events/announcements` (admin) and `GET` of the latest ones.
//! An announcement is kept in a capped Redis list and published on the
//! announcements channel, so every instance pushes it to its clients.

use std::sync::Arc;

use actix_web::{HttpResponse, web};
use common::{ApiError, caller::Admin, redis_conn::LazyRedis, stats_keys::StatsKeys};
use serde::{Deserialize, Serialize};

use crate::protocol::Announcement;

/// Announcement routes' state.
pub struct AnnouncementsContext {
    pub redis: Arc<LazyRedis>,
    pub keys: StatsKeys,
    pub kept: usize,
}

/// The body of `POST /api/events/announcements`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
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

/// The admin's name as shown with an announcement; absurdly long ones are
/// left out.
fn sender(Admin(caller): Admin) -> Option<String> {
    caller.user.filter(|user| user.len() <= 128)
}

/// `POST /api/events/announcements` -> 201 with the announcement.
#[utoipa::path(post, path = "/api/events/announcements", tag = "events", request_body = NewAnnouncement,
    responses((status = 201, body = Announcement), (status = 400, description = "the text or level is invalid"),
        (status = 403), (status = 503, description = "Redis is unavailable")))]
pub async fn create(
    admin: Admin,
    body: web::Json<NewAnnouncement>,
    context: web::Data<AnnouncementsContext>,
) -> Result<HttpResponse, ApiError> {
    let from = sender(admin);
    let announcement = validate(body.into_inner(), from)?;
    let json = serde_json::to_string(&announcement).map_err(ApiError::internal)?;
    let recent = context.keys.announcements_recent();
    let kept = isize::try_from(context.kept).unwrap_or(isize::MAX);
    let mut connection = context.redis.get().await.map_err(unavailable)?;
    redis::pipe()
        .atomic()
        .lpush(&recent, &json)
        .ignore()
        .ltrim(&recent, 0, kept - 1)
        .ignore()
        .publish(context.keys.announcements(), &json)
        .ignore()
        .query_async::<()>(&mut connection)
        .await
        .map_err(unavailable)?;
    Ok(HttpResponse::Created().json(announcement))
}

/// The answer of `GET /api/events/announcements`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Announcements {
    /// Newest first.
    announcements: Vec<Announcement>,
}

/// `GET /api/events/announcements` -> the kept announcements, newest first.
#[utoipa::path(get, path = "/api/events/announcements", tag = "events",
    responses((status = 200, body = Announcements), (status = 503, description = "Redis is unavailable")))]
pub async fn list(context: web::Data<AnnouncementsContext>) -> Result<HttpResponse, ApiError> {
    let recent = read_recent(&context.redis, &context.keys, context.kept)
        .await
        .map_err(unavailable)?;
    Ok(HttpResponse::Ok().json(Announcements {
        announcements: recent,
    }))
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
