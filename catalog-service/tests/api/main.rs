//! Integration tests of the catalog against the real PostgreSQL.

mod audio;
mod covers;
mod fixtures;
mod health;
mod helpers;
mod internal;
mod lastfm;
mod library;
mod replicas;
mod scan;
mod songs;
mod sources;
mod watch;
