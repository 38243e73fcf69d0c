//! Integration tests of the catalog against the real PostgreSQL.

mod audio;
mod covers;
mod health;
mod helpers;
mod library;
mod scan;
mod songs;
