//! The Redis connection every part of the service shares: opened on first
//! use and reopened after a failure (see [`common::redis_client::LazyRedis`]).

pub use common::redis_client::LazyRedis;
