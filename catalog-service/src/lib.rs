//! The catalog: every song Tonearm knows, listed, searched and described.
//!
//! Layers point one way:
//! - [`domain`]: the types the catalog talks about; imports no other layer.
//! - [`store`]: PostgreSQL only; rows mapped into domain types.
//! - [`sources`]: where songs come from (music folders, Internet sources),
//!   each a [`sources::Source`]; writes through the store.
//! - [`details`]: providers that describe songs (Last.fm), apart from sources;
//!   their cache goes through the store.
//! - [`covers`]: cover art of songs, read through the local source's tags.
//! - [`api`]: HTTP parsing, the wire format and [`api::CatalogError`].

pub mod api;
pub mod covers;
pub mod db;
pub mod details;
pub mod domain;
pub mod redact;
pub mod settings;
pub mod sources;
mod startup;
pub mod store;

pub use settings::CatalogSettings;
pub use startup::Application;

/// The worked example of `docs/repositories.md`, compiled as a doctest so
/// the doc cannot drift from the code.
#[cfg(doctest)]
#[doc = include_str!("../../docs/repositories.md")]
pub struct RepositoriesDoc;
