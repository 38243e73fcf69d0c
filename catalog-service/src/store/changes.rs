//! Changes of the library as PostgreSQL announces them: a statement
//! trigger on songs, albums and artists sends `tonearm_library_changed`
//! with its schema when its transaction commits. Each notice (and each
//! lost connection, during which notices may have been missed) moves the
//! library's generation on; answers kept for a generation are stale once
//! it moved.

use std::{
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
    time::Duration,
};

use sqlx::{PgPool, postgres::PgListener};

/// The channel the trigger notifies (see the migration `library_changes`).
const CHANNEL: &str = "tonearm_library_changed";

/// The library's generation in this process.
#[derive(Debug, Clone, Default)]
pub struct LibraryChanges {
    inner: Arc<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    generation: AtomicU64,
    /// Whether notices are being received: without them no answer is kept.
    listening: AtomicBool,
}

impl LibraryChanges {
    /// The current generation, or `None` while notices are not received
    /// (nothing may be kept then).
    pub fn generation(&self) -> Option<u64> {
        self.inner
            .listening
            .load(Ordering::Acquire)
            .then(|| self.inner.generation.load(Ordering::Acquire))
    }

    /// Moves the generation on: what was kept is stale.
    pub fn changed(&self) {
        self.inner.generation.fetch_add(1, Ordering::AcqRel);
    }

    /// Marks notices as received, as [`Self::follow`] does once it
    /// listens (tests of what is kept).
    #[doc(hidden)]
    pub fn start_listening_for_tests(&self) {
        self.listening(true);
    }

    fn listening(&self, listening: bool) {
        self.changed();
        self.inner.listening.store(listening, Ordering::Release);
    }

    /// Follows the notices of `schema` for as long as the process runs,
    /// reconnecting after a failure (one attempt per second at most).
    pub async fn follow(self, pool: PgPool, schema: String) {
        loop {
            if let Err(error) = self.listen(&pool, &schema).await {
                tracing::warn!(%error, "library change notices interrupted; lists are read afresh until they resume");
            }
            self.listening(false);
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    }

    async fn listen(&self, pool: &PgPool, schema: &str) -> sqlx::Result<()> {
        let mut listener = PgListener::connect_with(pool).await?;
        listener.listen(CHANNEL).await?;
        self.listening(true);
        loop {
            match listener.try_recv().await? {
                Some(notice) if notice.payload() == schema => self.changed(),
                Some(_) => {}
                // The connection was lost (and made again): notices may
                // have been missed meanwhile.
                None => self.changed(),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_is_kept_until_notices_are_received_and_each_change_moves_on() {
        let changes = LibraryChanges::default();
        assert_eq!(changes.generation(), None);
        changes.listening(true);
        let first = changes.generation().expect("listening");
        changes.changed();
        assert_ne!(changes.generation(), Some(first));
        changes.listening(false);
        assert_eq!(changes.generation(), None);
    }
}
