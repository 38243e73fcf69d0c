//! PostgreSQL access: writes shared by every repository ([`write`]) and the
//! read queries behind the API ([`songs`], [`library`], [`search`]).

pub mod library;
pub mod search;
pub mod songs;
pub mod write;
