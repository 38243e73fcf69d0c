//! Details providers: services that describe songs, albums and artists
//! (Last.fm) without bringing songs of their own, kept apart from the
//! [`crate::sources`]. [`DetailsFanOut`] asks every provider at once and
//! merges their answers under each provider's name.

pub mod lastfm;

use std::{collections::BTreeMap, sync::Arc, time::Duration};

use futures_util::future::{BoxFuture, join_all};

use crate::domain::Subject;

/// The longest any provider may take to add details; a slow one is left
/// out of that answer rather than delaying it.
const DETAILS_TIMEOUT: Duration = Duration::from_secs(3);

/// One provider of details.
pub trait DetailsProvider: Send + Sync {
    /// Short stable name (`lastfm`): the key of its details in answers.
    fn name(&self) -> &'static str;

    /// Extra details about `subject`, or `None` when there is nothing to
    /// add. Must not fail: a provider that cannot answer says so inside
    /// its value (e.g. `{"status":"unavailable"}`).
    fn details<'a>(&'a self, subject: Subject<'a>) -> BoxFuture<'a, Option<serde_json::Value>>;
}

/// The enabled providers, asked together.
#[derive(Clone, Default)]
pub struct DetailsFanOut {
    providers: Vec<Arc<dyn DetailsProvider>>,
}

impl DetailsFanOut {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a provider.
    pub fn with(mut self, provider: Arc<dyn DetailsProvider>) -> Self {
        self.providers.push(provider);
        self
    }

    /// Details from every provider that has some, keyed by its name.
    pub async fn details(&self, subject: Subject<'_>) -> BTreeMap<String, serde_json::Value> {
        let answers = join_all(self.providers.iter().map(|provider| async move {
            let answer = tokio::time::timeout(DETAILS_TIMEOUT, provider.details(subject)).await;
            match answer {
                Ok(Some(value)) => Some((provider.name().to_owned(), value)),
                Ok(None) => None,
                Err(_) => {
                    tracing::warn!(provider = provider.name(), "details timed out");
                    Some((
                        provider.name().to_owned(),
                        serde_json::json!({ "status": "timeout" }),
                    ))
                }
            }
        }))
        .await;
        answers.into_iter().flatten().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Artist;

    struct Fixed(&'static str, Option<serde_json::Value>);

    impl DetailsProvider for Fixed {
        fn name(&self) -> &'static str {
            self.0
        }

        fn details<'a>(&'a self, _subject: Subject<'a>) -> BoxFuture<'a, Option<serde_json::Value>> {
            Box::pin(async move { self.1.clone() })
        }
    }

    #[tokio::test]
    async fn details_are_merged_by_provider_name() {
        let index = DetailsFanOut::new()
            .with(Arc::new(Fixed("local", None)))
            .with(Arc::new(Fixed(
                "lastfm",
                Some(serde_json::json!({"listeners": 5})),
            )));
        let artist = Artist {
            id: uuid::Uuid::nil(),
            name: "A".into(),
            song_count: 1,
            album_count: 1,
            sort_key: "a".into(),
        };
        let details = index.details(Subject::Artist(&artist)).await;
        assert_eq!(details.len(), 1);
        assert_eq!(details["lastfm"]["listeners"], 5);
    }
}
