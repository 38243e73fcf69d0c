//! The ports the services listen on by default, in one place: the shared
//! settings default to them and `cargo xtask up` starts the services on
//! them. This file uses nothing but `core`, so xtask includes it by path
//! (`#[path]`) instead of depending on all of `common` and building the
//! services' dependencies before its first command.

/// Ports of one running system.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ports {
    pub gateway: u16,
    pub catalog: u16,
    pub stream: u16,
    pub events: u16,
    pub stats: u16,
    /// The events service's player WebSocket listener (its own port, apart
    /// from the HTTP API; the gateway relays `/ws` there).
    pub events_ws: u16,
}

impl Ports {
    /// `TONEARM_GATEWAY_PORT`, `TONEARM_CATALOG_PORT`... when unset.
    pub const DEFAULT: Ports = Ports {
        gateway: 8080,
        catalog: 8081,
        stream: 8082,
        events: 8083,
        stats: 8084,
        events_ws: 8085,
    };
}
