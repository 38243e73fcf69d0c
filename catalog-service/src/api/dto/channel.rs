//! An Internet source as every listener may see it.

use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::domain::source::InternetSource;

/// A podcast feed, a playlist or a direct stream, without its URL (a
/// private feed carries its subscriber's token in it) or its errors.
#[derive(Debug, Serialize, ToSchema)]
pub struct Channel {
    pub id: Uuid,
    /// `audio` (a direct stream), `playlist` or `feed`.
    pub kind: String,
    pub title: Option<String>,
    pub image_url: Option<String>,
    pub song_count: i32,
}

impl From<&InternetSource> for Channel {
    fn from(source: &InternetSource) -> Self {
        Self {
            id: source.id,
            kind: source.kind.clone(),
            title: source.title.clone(),
            image_url: source.image_url.clone(),
            song_count: source.song_count,
        }
    }
}
