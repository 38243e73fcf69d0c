//! The events service: WebSocket sessions with the players, every player
//! event to Kafka, live figures and announcements back to the players.

mod startup;

pub use startup::Application;
