//! The stats consumer: folds the player-event topic into the Redis counters
//! that ops dashboards read, exactly once.

mod assignment;
mod consumer;
mod dlq;
pub mod fold;
mod lag;
mod metrics;
pub mod probe;
pub mod rebuild;
mod recovery;
pub mod settings;
mod startup;
mod sweeper;
mod watchdog;

pub use startup::Application;
