//! Sources of songs: each is one implementation of [`Source`], which owns
//! bringing its songs into the catalog ([`Source::import`]) and keeping
//! them current ([`Source::schedule`]). Songs a source finds are written
//! through [`crate::store`], where listing and search see every source at
//! once. Sources import the domain and the store, never the API.
//!
//! Adding a source is one module implementing [`Source`] plus one line
//! registering it in [`Registry`] (see `docs/repositories.md`).

pub mod internet;
pub mod local;

use std::sync::Arc;

use futures_util::future::BoxFuture;

/// One source of songs.
pub trait Source: Send + Sync {
    /// Short stable name (`local`, `internet`).
    fn name(&self) -> &'static str;

    /// Brings this source's songs into the catalog now (a scan of the music
    /// folders, a refresh of every feed). Answers once it is started or
    /// done, as the source sees fit.
    fn import(&self) -> BoxFuture<'_, anyhow::Result<()>>;

    /// Starts what keeps this source current in the background (a first
    /// scan, a file watcher, a refresh timer); called once, when the
    /// database is ready. The default keeps nothing current.
    fn schedule(&self) -> BoxFuture<'_, anyhow::Result<()>> {
        Box::pin(async { Ok(()) })
    }
}

/// The registered sources, in the order they are scheduled.
#[derive(Clone, Default)]
pub struct Registry {
    sources: Vec<Arc<dyn Source>>,
}

impl Registry {
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers a source.
    pub fn with(mut self, source: Arc<dyn Source>) -> Self {
        self.sources.push(source);
        self
    }

    pub fn sources(&self) -> &[Arc<dyn Source>] {
        &self.sources
    }

    /// Starts every source's schedule; one that fails to start is logged
    /// and the others still start.
    pub async fn schedule_all(&self) {
        for source in &self.sources {
            if let Err(error) = source.schedule().await {
                tracing::warn!(
                    source = source.name(),
                    error = format!("{error:#}"),
                    "a source is not kept current"
                );
            }
        }
    }

    /// Imports every source now, one after the other; stops at the first
    /// failure.
    pub async fn import_all(&self) -> anyhow::Result<()> {
        for source in &self.sources {
            source.import().await?;
        }
        Ok(())
    }
}
