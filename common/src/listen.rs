//! Binding a service's port: never on an address other machines can reach
//! without the internal token.

use std::net::TcpListener;

use anyhow::Context as _;

use crate::Settings;

/// Binds `host:port`; port 0 picks a free port (tests).
pub fn bind(host: &str, port: u16) -> anyhow::Result<TcpListener> {
    TcpListener::bind((host, port)).with_context(|| format!("binding {host}:{port}"))
}

/// Binds a service's port on `host`, refusing to start when the address is
/// reachable from other machines and no internal token is set: such a
/// service could not tell the gateway from anyone else on the network.
pub fn bind_service(settings: &Settings, host: &str, port: u16) -> anyhow::Result<TcpListener> {
    refuse_open_bind_without_token(settings, host)?;
    bind(host, port)
}

/// The check of [`bind_service`], for listeners that are not actix's.
pub fn refuse_open_bind_without_token(settings: &Settings, host: &str) -> anyhow::Result<()> {
    if settings.internal_token.is_none() && !is_loopback(host) {
        anyhow::bail!(
            "invalid setting TONEARM_INTERNAL_TOKEN: required when a service binds {host}, \
             an address other machines can reach (set the same secret on every service)"
        );
    }
    Ok(())
}

/// Whether `host` names only this machine: `localhost` or a loopback
/// address (`0.0.0.0` and `::` are every address, not loopback).
pub fn is_loopback(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    bare.eq_ignore_ascii_case("localhost")
        || bare
            .parse::<std::net::IpAddr>()
            .is_ok_and(|address| address.is_loopback())
}
