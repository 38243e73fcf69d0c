//! The Index: fans a request out to the enabled repositories and merges
//! their answers.

use std::{collections::BTreeMap, sync::Arc, time::Duration};

use futures_util::future::join_all;

use crate::repository::{Repository, Subject};

/// The longest any repository may take to add details; a slow one is left
/// out of that answer rather than delaying it.
const DETAILS_TIMEOUT: Duration = Duration::from_secs(3);

/// The enabled repositories.
#[derive(Clone, Default)]
pub struct Index {
    repositories: Vec<Arc<dyn Repository>>,
}

impl Index {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a repository; the order is the order of refreshes.
    pub fn with(mut self, repository: Arc<dyn Repository>) -> Self {
        self.repositories.push(repository);
        self
    }

    pub fn repositories(&self) -> &[Arc<dyn Repository>] {
        &self.repositories
    }

    /// Details from every repository that has some, keyed by its name.
    pub async fn details(&self, subject: Subject<'_>) -> BTreeMap<String, serde_json::Value> {
        let answers = join_all(self.repositories.iter().map(|repository| async move {
            let answer = tokio::time::timeout(DETAILS_TIMEOUT, repository.details(subject)).await;
            match answer {
                Ok(Some(value)) => Some((repository.name().to_owned(), value)),
                Ok(None) => None,
                Err(_) => {
                    tracing::warn!(repository = repository.name(), "details timed out");
                    Some((
                        repository.name().to_owned(),
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
    use futures_util::future::BoxFuture;

    use super::*;
    use crate::store::library::ArtistRow;

    struct Fixed(&'static str, Option<serde_json::Value>);

    impl Repository for Fixed {
        fn name(&self) -> &'static str {
            self.0
        }

        fn details<'a>(&'a self, _subject: Subject<'a>) -> BoxFuture<'a, Option<serde_json::Value>> {
            Box::pin(async move { self.1.clone() })
        }
    }

    #[tokio::test]
    async fn details_are_merged_by_repository_name() {
        let index = Index::new()
            .with(Arc::new(Fixed("local", None)))
            .with(Arc::new(Fixed(
                "lastfm",
                Some(serde_json::json!({"listeners": 5})),
            )));
        let artist = ArtistRow {
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
