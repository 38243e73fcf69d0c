//! The catalog: every song Tonearm knows, listed, searched and described.

mod startup;

pub use startup::Application;
