//! The events service: WebSocket sessions with the players, every player
//! event to Kafka, live figures and announcements back to the players.

mod announcements;
mod figures;
mod hub;
mod now_playing;
mod openapi;
mod ops_stats;
pub mod protocol;
pub mod publisher;
mod scrobbles;
pub mod settings;
mod songs;
mod startup;
mod subscriber;
mod ws;

pub use startup::Application;
