//! The catalog: every song Tonearm knows, listed, searched and described.
//!
//! Songs come from [`repository`] implementations (local folders, Internet
//! sources) and are stored in PostgreSQL; the [`index::Index`] merges the
//! details repositories add (Last.fm). The HTTP API lives in [`api`].

pub mod api;
pub mod covers;
pub mod db;
pub mod ids;
pub mod index;
pub mod model;
pub mod query;
pub mod redact;
pub mod repository;
pub mod settings;
mod startup;
pub mod store;

pub use settings::CatalogSettings;
pub use startup::Application;
