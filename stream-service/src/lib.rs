//! The stream service: the bytes of a song from disk or a remote origin,
//! with HTTP ranges, conditional requests and on-the-fly transcoding.

pub mod conditional;
pub mod error;
pub mod metrics;
pub mod notice;
pub mod ranges;
pub mod routes;
pub mod settings;
pub mod song_id;
pub mod sources;
mod startup;
pub mod storage;
pub mod transcode;

pub use settings::StreamSettings;
pub use startup::Application;
