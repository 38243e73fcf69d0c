//! The stats consumer: folds the player-event topic into the Redis counters
//! that ops dashboards read, exactly once.

mod consumer;
mod dlq;
pub mod fold;
mod metrics;
pub mod rebuild;
mod redis_conn;
pub mod settings;
mod startup;
mod sweeper;

pub use startup::Application;
