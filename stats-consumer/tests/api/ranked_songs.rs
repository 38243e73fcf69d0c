//! The most played and recently played sets (Subsonic's `frequent` and
//! `recent` album lists are made from them): ordered by plays and by the
//! last play, counted once, and bounded in size and in time.

use chrono::{Duration as Days, Utc};
use common::{
    events::{EventType, PlayerEvent},
    stats_keys::StatsKeys,
};
use redis::aio::MultiplexedConnection;
use stats_consumer::fold::{FoldTarget, Folder, Positioned, SONG_COUNTER_TTL_SECS};

use crate::helpers::{A, B, event, isolated_settings, redis};

const C: &str = "3f2504e0-4f89-41d3-9a0c-0305e82c3301";

/// Folds batches into one prefix, keeping at most `ranked_songs` songs.
struct Fold {
    redis: MultiplexedConnection,
    target: FoldTarget,
    next: i64,
}

impl Fold {
    async fn new(ranked_songs: u64) -> Self {
        let (settings, _) = isolated_settings();
        Self {
            redis: redis(&settings).await,
            target: FoldTarget {
                keys: StatsKeys::new(settings.redis.prefix.clone()),
                session_ttl_secs: 3600,
                trending_ttl_secs: 7200,
                ranked_songs,
                notify: false,
            },
            next: 0,
        }
    }

    /// One batch on partition 0, after the previous ones.
    async fn batch(&mut self, events: Vec<PlayerEvent>) {
        let batch: Vec<Positioned> = events
            .into_iter()
            .map(|event| {
                self.next += 1;
                Positioned {
                    offset: self.next - 1,
                    event,
                }
            })
            .collect();
        Folder::default()
            .apply(&mut self.redis, &self.target, 0, self.next, &batch)
            .await
            .expect("folded");
    }

    /// Songs of a set, highest score first, with their scores.
    async fn ranked(&mut self, key: String) -> Vec<(String, i64)> {
        redis::cmd("ZRANGE")
            .arg(key)
            .arg(0)
            .arg(-1)
            .arg("REV")
            .arg("WITHSCORES")
            .query_async(&mut self.redis)
            .await
            .expect("zrange")
    }

    async fn most_played(&mut self) -> Vec<(String, i64)> {
        let key = self.target.keys.most_played();
        self.ranked(key).await
    }

    async fn recently_played(&mut self) -> Vec<String> {
        let key = self.target.keys.recently_played();
        self.ranked(key).await.into_iter().map(|(song, _)| song).collect()
    }
}

/// A play of `song` `minutes_ago` minutes ago.
fn play(song: &str, minutes_ago: i64) -> PlayerEvent {
    let mut play = event("s1", EventType::Play, Some(song));
    play.ts = Utc::now() - Days::minutes(minutes_ago);
    play
}

#[tokio::test]
async fn songs_rank_by_their_plays_and_by_their_last_play() {
    let mut fold = Fold::new(100).await;
    fold.batch(vec![play(A, 30), play(A, 29), play(B, 20), play(A, 10)])
        .await;
    // Not plays: they rank nothing.
    fold.batch(vec![
        event("s1", EventType::Pause, Some(B)),
        event("s1", EventType::Resume, Some(B)),
    ])
    .await;
    fold.batch(vec![play(C, 5), play(B, 1)]).await;

    assert_eq!(
        fold.most_played().await,
        [(A.to_owned(), 3), (B.to_owned(), 2), (C.to_owned(), 1)]
    );
    assert_eq!(fold.recently_played().await, [B, C, A]);
}

#[tokio::test]
async fn an_older_play_arriving_later_leaves_the_last_play_where_it_was() {
    let mut fold = Fold::new(100).await;
    fold.batch(vec![play(A, 1), play(B, 5)]).await;
    // Another partition's older play of A, folded afterwards.
    fold.batch(vec![play(A, 60)]).await;
    assert_eq!(fold.recently_played().await, [A, B]);
    assert_eq!(fold.most_played().await[0], (A.to_owned(), 2));
}

#[tokio::test]
async fn the_sets_keep_the_most_recently_played_songs_and_their_full_counts() {
    let mut fold = Fold::new(2).await;
    fold.batch(vec![play(A, 40), play(A, 39), play(A, 38)]).await;
    fold.batch(vec![play(B, 30), play(C, 20)]).await;
    // A, played longest ago, is over the bound: gone from both sets.
    assert_eq!(fold.recently_played().await, [C, B]);
    assert_eq!(fold.most_played().await, [(B.to_owned(), 1), (C.to_owned(), 1)]);

    // Played again, it comes back with every play its counter holds.
    fold.batch(vec![play(A, 1)]).await;
    assert_eq!(fold.recently_played().await, [A, C]);
    assert_eq!(fold.most_played().await, [(A.to_owned(), 4), (C.to_owned(), 1)]);
}

#[tokio::test]
async fn songs_not_played_within_the_song_bound_leave_the_sets() {
    let mut fold = Fold::new(100).await;
    let bound_minutes = i64::try_from(SONG_COUNTER_TTL_SECS / 60).expect("fits");
    // A replayed play older than the bound keeps no counter, and no rank.
    fold.batch(vec![play(A, bound_minutes + 60), play(B, 1)]).await;
    assert_eq!(fold.recently_played().await, [B]);

    // A song ranked when its last play was within the bound (written
    // here as it stood then) leaves both sets at the next batch.
    let stale_ms = (Utc::now() - Days::minutes(bound_minutes + 1)).timestamp_millis();
    let keys = fold.target.keys.clone();
    let _: () = redis::pipe()
        .cmd("ZADD")
        .arg(keys.recently_played())
        .arg(stale_ms)
        .arg(C)
        .ignore()
        .cmd("ZADD")
        .arg(keys.most_played())
        .arg(7)
        .arg(C)
        .ignore()
        .query_async(&mut fold.redis)
        .await
        .expect("stale entries");
    fold.batch(vec![event("s1", EventType::Heartbeat, None)]).await;
    assert_eq!(fold.recently_played().await, [B]);
    assert_eq!(fold.most_played().await, [(B.to_owned(), 1)]);
}
