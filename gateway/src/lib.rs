//! The gateway: the one address users and browsers talk to.

mod startup;

pub use startup::Application;
