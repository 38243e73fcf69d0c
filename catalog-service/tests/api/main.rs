//! Integration tests of the catalog against the real PostgreSQL.

mod album_orders;
mod audio;
mod confinement;
mod cover_limits;
mod covers;
mod damaged;
mod favourites;
mod first_scan;
mod fixtures;
mod health;
mod helpers;
mod internal;
mod internal_token;
mod lastfm;
mod library;
mod migrations;
mod personal;
mod play_queue;
mod playlists;
mod privacy;
mod registry;
mod replicas;
mod scan;
mod songs;
mod sources;
mod watch;
