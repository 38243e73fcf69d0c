//! Names of the Redis keys and channels of the live figures (documented in
//! docs/redis-keys.md), in one place: stats-consumer writes them (its Lua
//! scripts receive the names from here rather than building them), and
//! events-service, the gateway's Subsonic adapter and the ops dashboard
//! read them.

/// Where an id goes in a key template handed to the Lua scripts.
pub const PLACEHOLDER: &str = "{}";

/// The fold's keys, as glob patterns under the prefix: what a rebuild
/// replaces and a reset deletes.
pub const FOLD_PATTERNS: &[&str] = &[
    "presence",
    "playing",
    "plays:total",
    "songs:most-played",
    "songs:recently-played",
    "consumer:offsets",
    "song:*:listeners",
    "song:*:plays",
    "trending:*",
    "uniq:*",
    "session:*",
];

/// The key names under one prefix.
#[derive(Debug, Clone)]
pub struct StatsKeys {
    prefix: String,
}

impl StatsKeys {
    /// Keys under `prefix` (`TONEARM_REDIS_PREFIX`, `tonearm:` by default).
    pub fn new(prefix: impl Into<String>) -> Self {
        Self {
            prefix: prefix.into(),
        }
    }

    /// The prefix every name starts with.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    fn named(&self, template: &str, id: &str) -> String {
        format!("{}{}", self.prefix, template.replace(PLACEHOLDER, id))
    }

    /// A template under the prefix, with [`PLACEHOLDER`] where the id goes
    /// (for the Lua scripts, which name keys after ids they read).
    fn template(&self, template: &str) -> String {
        format!("{}{template}", self.prefix)
    }

    /// ZSET session -> last-seen ms.
    pub fn presence(&self) -> String {
        format!("{}presence", self.prefix)
    }

    /// ZSET session -> ms of its last play, resume, or sign of life while
    /// playing: the sessions playing something (`getNowPlaying`).
    pub fn playing(&self) -> String {
        format!("{}playing", self.prefix)
    }

    /// ZSET session -> last-seen ms of the sessions playing `song`.
    pub fn listeners(&self, song: &str) -> String {
        self.named(LISTENERS, song)
    }

    /// Counter of plays of `song`.
    pub fn plays(&self, song: &str) -> String {
        self.named(PLAYS, song)
    }

    /// ZSET song -> plays (its `song:{id}:plays` counter after its last
    /// play): the most played songs, bounded in number by the fold.
    pub fn most_played(&self) -> String {
        format!("{}songs:most-played", self.prefix)
    }

    /// ZSET song -> ms of its last play: the same songs as
    /// [`Self::most_played`], by recency.
    pub fn recently_played(&self) -> String {
        format!("{}songs:recently-played", self.prefix)
    }

    /// Counter of all plays.
    pub fn plays_total(&self) -> String {
        format!("{}plays:total", self.prefix)
    }

    /// ZSET song -> plays in one UTC minute (`yyyymmddhhmm`).
    pub fn trending(&self, minute: &str) -> String {
        self.named(TRENDING, minute)
    }

    /// HyperLogLog of the listeners of one UTC day (`yyyymmdd`).
    pub fn unique(&self, day: &str) -> String {
        self.named(UNIQUE, day)
    }

    /// HASH of one session's player state.
    pub fn session(&self, session: &str) -> String {
        self.named(SESSION, session)
    }

    /// STRING: the song a Subsonic app last said it is playing, so that
    /// its submission does not count that play again.
    pub fn now_playing_mark(&self, session: &str) -> String {
        self.named(NOW_PLAYING_MARK, session)
    }

    /// HASH partition -> next offset to apply.
    pub fn offsets(&self) -> String {
        format!("{}consumer:offsets", self.prefix)
    }

    /// HASH of the consumer's last lag measure.
    pub fn lag(&self) -> String {
        format!("{}consumer:lag", self.prefix)
    }

    /// STRING: the replica holding the presence sweeper's lease.
    pub fn sweeper_lease(&self) -> String {
        format!("{}lease:presence-sweeper", self.prefix)
    }

    /// Pub/sub channel of change notices from the consumer.
    pub fn stats_changed(&self) -> String {
        format!("{}stats-changed", self.prefix)
    }

    /// Pub/sub channel of announcements.
    pub fn announcements(&self) -> String {
        format!("{}announcements", self.prefix)
    }

    /// LIST of the latest announcements, newest first.
    pub fn announcements_recent(&self) -> String {
        format!("{}announcements:recent", self.prefix)
    }

    /// The per-id key templates the fold script names keys with, in its
    /// argument order: session, listeners, plays, trending, unique.
    pub fn fold_templates(&self) -> [String; 5] {
        [SESSION, LISTENERS, PLAYS, TRENDING, UNIQUE].map(|template| self.template(template))
    }

    /// The templates the sweep script uses: session, listeners.
    pub fn sweep_templates(&self) -> [String; 2] {
        [SESSION, LISTENERS].map(|template| self.template(template))
    }
}

const LISTENERS: &str = "song:{}:listeners";
const PLAYS: &str = "song:{}:plays";
const TRENDING: &str = "trending:{}";
const UNIQUE: &str = "uniq:{}";
const SESSION: &str = "session:{}";
const NOW_PLAYING_MARK: &str = "scrobble:{}";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_the_documented_keys() {
        let keys = StatsKeys::new("tonearm:");
        assert_eq!(keys.listeners("s1"), "tonearm:song:s1:listeners");
        assert_eq!(keys.plays("s1"), "tonearm:song:s1:plays");
        assert_eq!(keys.trending("202612061015"), "tonearm:trending:202612061015");
        assert_eq!(keys.unique("20261206"), "tonearm:uniq:20261206");
        assert_eq!(keys.session("a"), "tonearm:session:a");
        assert_eq!(keys.now_playing_mark("a"), "tonearm:scrobble:a");
        assert_eq!(keys.lag(), "tonearm:consumer:lag");
        assert_eq!(keys.most_played(), "tonearm:songs:most-played");
        assert_eq!(keys.recently_played(), "tonearm:songs:recently-played");
    }

    #[test]
    fn templates_name_the_same_keys_as_the_functions() {
        let keys = StatsKeys::new("p:");
        let [session, listeners, plays, trending, unique] = keys.fold_templates();
        let fill = |template: &str, id: &str| template.replace(PLACEHOLDER, id);
        assert_eq!(fill(&session, "x"), keys.session("x"));
        assert_eq!(fill(&listeners, "x"), keys.listeners("x"));
        assert_eq!(fill(&plays, "x"), keys.plays("x"));
        assert_eq!(fill(&trending, "x"), keys.trending("x"));
        assert_eq!(fill(&unique, "x"), keys.unique("x"));
    }

    #[test]
    fn every_fold_key_is_covered_by_a_pattern() {
        let keys = StatsKeys::new("");
        for key in [
            keys.presence(),
            keys.playing(),
            keys.plays_total(),
            keys.most_played(),
            keys.recently_played(),
            keys.offsets(),
            keys.listeners("x"),
            keys.plays("x"),
            keys.trending("x"),
            keys.unique("x"),
            keys.session("x"),
        ] {
            let covered = FOLD_PATTERNS.iter().any(|pattern| match pattern.split_once('*') {
                Some((head, tail)) => key.starts_with(head) && key.ends_with(tail),
                None => key == *pattern,
            });
            assert!(covered, "{key} is not in FOLD_PATTERNS");
        }
    }
}
