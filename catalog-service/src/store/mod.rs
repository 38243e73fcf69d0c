//! PostgreSQL, and nothing else: every SQL statement of the catalog lives
//! here. Rows are mapped into [`crate::domain`] types before they leave;
//! this layer imports the domain and nothing above it.

pub mod bulk;
pub mod changes;
mod copy;
pub mod favourites;
mod fold;
mod kind;
pub mod lastfm_cache;
pub mod library;
pub mod play_queue;
pub mod playlists;
pub mod scans;
pub mod search;
mod song_row;
pub mod songs;
pub mod sources;
pub mod tsvector;
pub mod write;
