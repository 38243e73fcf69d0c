//! Applies batches of events to Redis with one atomic script per batch.

use common::{events::PlayerEvent, stats_keys::StatsKeys};
use redis::{Script, aio::ConnectionLike};

/// A song's play counter (and a day's unique-listener count) expires this
/// long after the last play that touched it: 90 days. Ids that are never
/// played again (a song removed from the library, an id recorded while
/// the catalog could not be asked) then leave nothing behind. Listener
/// sets expire with the session TTL after their last update.
pub const SONG_COUNTER_TTL_SECS: u64 = 90 * 86_400;

/// How the fold writes: where, and how long derived keys live.
#[derive(Debug, Clone)]
pub struct FoldTarget {
    pub keys: StatsKeys,
    pub session_ttl_secs: u64,
    pub trending_ttl_secs: u64,
    /// Most songs kept in the most played and recently played sets.
    pub ranked_songs: u64,
    /// Publish a change notice after each batch (not while rebuilding).
    pub notify: bool,
}

/// One decodable event with its offset.
pub struct Positioned {
    pub offset: i64,
    pub event: PlayerEvent,
}

/// What a batch did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Applied {
    /// Events applied now (not skipped as already covered).
    pub applied: u64,
    /// The partition's stored next offset afterwards.
    pub next_offset: i64,
}

/// The fold and sweep scripts, loaded once per process; they name keys
/// from the templates of [`StatsKeys`].
pub struct Folder {
    fold: Script,
    sweep: Script,
}

impl Default for Folder {
    fn default() -> Self {
        Self {
            fold: Script::new(concat!(
                include_str!("lua/template.lua"),
                include_str!("lua/fold.lua")
            )),
            sweep: Script::new(concat!(
                include_str!("lua/template.lua"),
                include_str!("lua/sweep.lua")
            )),
        }
    }
}

impl Folder {
    /// Applies `events` of `partition` and stores `next_offset` (the offset
    /// after the batch, which may end with skipped poison records).
    pub async fn apply(
        &self,
        connection: &mut impl ConnectionLike,
        target: &FoldTarget,
        partition: i32,
        next_offset: i64,
        events: &[Positioned],
    ) -> redis::RedisResult<Applied> {
        let keys = &target.keys;
        let mut invocation = self.fold.prepare_invoke();
        invocation
            .key(keys.offsets())
            .key(keys.presence())
            .key(keys.plays_total())
            .key(keys.playing())
            .key(keys.most_played())
            .key(keys.recently_played())
            .arg(partition)
            .arg(next_offset)
            .arg(target.session_ttl_secs)
            .arg(target.trending_ttl_secs)
            .arg(if target.notify { 1 } else { 0 })
            .arg(SONG_COUNTER_TTL_SECS)
            .arg(keys.stats_changed())
            .arg(target.ranked_songs)
            .arg(&keys.fold_templates()[..]);
        for Positioned { offset, event } in events {
            invocation
                .arg(*offset)
                .arg(event.kind.as_str())
                .arg(&event.session)
                .arg(event.user.as_deref().unwrap_or(""))
                .arg(event.song.as_deref().unwrap_or(""))
                .arg(event.position_ms.map(|p| p.to_string()).unwrap_or_default())
                .arg(event.ts_millis())
                .arg(event.ts.format("%Y%m%d%H%M").to_string())
                .arg(event.ts.format("%Y%m%d").to_string())
                .arg(event.source.as_str());
        }
        let (applied, next_offset): (u64, i64) = invocation.invoke_async(connection).await?;
        Ok(Applied { applied, next_offset })
    }

    /// Drops sessions last seen before `cutoff_ms` from the online and
    /// listener sets; returns how many.
    pub async fn sweep(
        &self,
        connection: &mut impl ConnectionLike,
        keys: &StatsKeys,
        cutoff_ms: i64,
    ) -> redis::RedisResult<u64> {
        self.sweep
            .key(keys.presence())
            .arg(cutoff_ms)
            .arg(1000)
            .arg(keys.stats_changed())
            .arg(&keys.sweep_templates()[..])
            .invoke_async(connection)
            .await
    }
}
