//! Internet sources (work in progress).

use common::fetch::Fetcher;
use sqlx::PgPool;

/// Internet sources an admin added.
#[derive(Clone)]
pub struct Sources {
    pub pool: PgPool,
    pub fetcher: Fetcher,
}
