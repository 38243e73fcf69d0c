//! The stream service: the bytes of a song from disk or a remote origin.

mod startup;

pub use startup::Application;
