//! Integration tests of the catalog against the real PostgreSQL.

mod audio;
mod health;
mod helpers;
mod library;
mod scan;
mod songs;
