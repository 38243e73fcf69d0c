//! The stats consumer: folds the player-event topic into the Redis counters
//! that ops dashboards read, exactly once.

mod startup;

pub use startup::Application;
