//! What the catalog talks about: songs, albums, artists, listings, scans,
//! and what each user keeps (favourites, playlists, the play queue).
//! Plain types with no database, HTTP or source behind them; every other
//! layer imports this one, and it imports none of them.

pub mod album_listing;
pub mod cursor;
pub mod favourites;
pub mod ids;
pub mod library;
pub mod listing;
pub mod play_queue;
pub mod playlist;
pub mod scan;
pub mod song;
pub mod source;
pub mod user;

pub use library::{Album, Artist, Genre, IndexedArtist, NamedHit, Subject};
pub use song::{NewSong, Song, SongKind, UNKNOWN_ALBUM, UNKNOWN_ARTIST};
