//! Pass-through to the services behind the gateway.

pub mod balancer;
pub mod body;
pub mod forward;
pub mod headers;
pub mod metrics;
pub mod path;
pub mod upstream;
pub mod ws;
