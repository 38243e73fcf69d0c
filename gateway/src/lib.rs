//! The gateway: the one address users and browsers talk to. It serves the
//! web UI, signs people in, and passes API calls, audio streams and the
//! live socket through to the services with the caller's identity.

pub mod auth;
pub mod db;
pub mod docs;
pub mod error;
pub mod forwarded;
mod ops;
pub mod proxy;
pub mod routes;
pub mod settings;
mod startup;
pub mod state;
pub mod subsonic;
pub mod web;

pub use settings::GatewaySettings;
pub use startup::Application;
