//! The real services behind the real gateway, in this process, against
//! PostgreSQL, Redis and the broker: what the web player and Subsonic apps
//! do, end to end.

mod fixtures;
mod helpers;
mod rest;
mod services;
mod subsonic;
mod subsonic_client;
mod subsonic_extras;
mod subsonic_library;
mod subsonic_play_counts;
mod subsonic_playlists;
mod subsonic_plays;
mod web_player;
mod xml_forms;
