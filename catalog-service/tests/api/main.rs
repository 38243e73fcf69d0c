//! Integration tests of the catalog against the real PostgreSQL.

mod audio;
mod covers;
mod fixtures;
mod health;
mod helpers;
mod lastfm;
mod library;
mod scan;
mod songs;
mod sources;
