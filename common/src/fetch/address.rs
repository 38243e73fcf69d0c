//! Which addresses an outbound fetch may reach, and the DNS resolver that
//! applies that rule at connection time.
//!
//! The resolver is the guard against DNS rebinding: reqwest connects to
//! exactly the addresses it returns, so a name cannot be checked against
//! one answer and then connect to another.

use std::{
    collections::HashSet,
    net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr},
    sync::Arc,
};

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

/// Why an address is refused, or `None` when it is a public unicast address.
pub fn refusal(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => refusal_v4(v4),
        IpAddr::V6(v6) => refusal_v6(v6),
    }
}

fn refusal_v4(ip: Ipv4Addr) -> Option<&'static str> {
    let [a, b, c, _] = ip.octets();
    if ip == Ipv4Addr::new(169, 254, 169, 254) {
        return Some("the cloud metadata address");
    }
    let reason = match (a, b, c) {
        (0, _, _) => "an unspecified (0.0.0.0/8) address",
        (10, _, _) | (192, 168, _) => "a private address",
        (172, 16..=31, _) => "a private address",
        (100, 64..=127, _) => "a carrier-grade NAT (100.64.0.0/10) address",
        (127, _, _) => "a loopback address",
        (169, 254, _) => "a link-local address",
        (192, 0, 0) => "an IETF protocol assignment (192.0.0.0/24)",
        (192, 0, 2) | (198, 51, 100) | (203, 0, 113) => "a documentation address",
        (198, 18..=19, _) => "a benchmarking (198.18.0.0/15) address",
        (224..=239, _, _) => "a multicast address",
        (240..=255, _, _) => "a reserved or broadcast address",
        _ => return None,
    };
    Some(reason)
}

fn refusal_v6(ip: Ipv6Addr) -> Option<&'static str> {
    if let Some(v4) = embedded_v4(ip) {
        // ::ffff:127.0.0.1 and friends reach the IPv4 address they embed.
        return refusal_v4(v4).map(|_| "an IPv6 form of a refused IPv4 address");
    }
    let segments = ip.segments();
    let reason = match segments[0] {
        _ if ip.is_unspecified() => "an unspecified address",
        _ if ip.is_loopback() => "a loopback address",
        0xfc00..=0xfdff => "a unique-local address",
        0xfe80..=0xfebf => "a link-local address",
        0xfec0..=0xfeff => "a site-local address",
        0xff00..=0xffff => "a multicast address",
        0x2001 if segments[1] == 0x0db8 => "a documentation address",
        0x0100 if segments[1..4] == [0, 0, 0] => "a discard-only address",
        _ => return None,
    };
    Some(reason)
}

/// The IPv4 address an IPv6 address reaches directly: IPv4-mapped
/// (`::ffff:a.b.c.d`), IPv4-compatible (`::a.b.c.d`), NAT64 (`64:ff9b::/96`)
/// and 6to4 (`2002:AABB:CCDD::/48`).
fn embedded_v4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    let s = ip.segments();
    let tail = Ipv4Addr::new((s[6] >> 8) as u8, s[6] as u8, (s[7] >> 8) as u8, s[7] as u8);
    match s {
        [0, 0, 0, 0, 0, 0xffff, _, _] => Some(tail),
        // `::` and `::1` are handled as IPv6 addresses.
        [0, 0, 0, 0, 0, 0, hi, _] if hi != 0 => Some(tail),
        [0x64, 0xff9b, 0, 0, 0, 0, _, _] => Some(tail),
        [0x2002, hi, lo, ..] => Some(Ipv4Addr::new(
            (hi >> 8) as u8,
            hi as u8,
            (lo >> 8) as u8,
            lo as u8,
        )),
        _ => None,
    }
}

/// Hosts (lower case, IPv6 without brackets) that appear in the allow-list,
/// whatever the port of their entry. The fetcher checks the port before a
/// request is sent; the resolver only needs the name.
#[derive(Debug, Clone, Default)]
pub struct AllowedNames(pub HashSet<String>);

/// Resolves with the system resolver and drops refused addresses unless the
/// name is allow-listed; fails when nothing is left.
pub struct GuardedResolver {
    pub(super) allowed: Arc<AllowedNames>,
}

/// The error a resolution fails with when every address was refused; the
/// fetcher finds it in the error chain to answer `Refused`.
#[derive(Debug, thiserror::Error)]
#[error("{host} resolves only to refused addresses ({reason})")]
pub struct RefusedResolution {
    pub host: String,
    pub reason: &'static str,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let allowed = self.allowed.clone();
        Box::pin(async move {
            let host = name.as_str().to_ascii_lowercase();
            let found: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let open = allowed.0.contains(&host);
            let mut last_reason = "no address";
            let kept: Vec<SocketAddr> = found
                .into_iter()
                .filter(|addr| match refusal(addr.ip()) {
                    Some(reason) if !open => {
                        last_reason = reason;
                        false
                    }
                    _ => true,
                })
                .collect();
            if kept.is_empty() {
                return Err(Box::new(RefusedResolution {
                    host,
                    reason: last_reason,
                }) as Box<dyn std::error::Error + Send + Sync>);
            }
            Ok(Box::new(kept.into_iter()) as Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(text: &str) -> bool {
        refusal(text.parse().expect("an IP address")).is_some()
    }

    #[test]
    fn private_and_special_ipv4_addresses_are_refused() {
        for ip in [
            "127.0.0.1",
            "127.8.9.10",
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "169.254.1.1",
            "100.64.0.1",
            "0.0.0.0",
            "224.0.0.1",
            "255.255.255.255",
            "198.18.0.1",
        ] {
            assert!(refused(ip), "{ip} must be refused");
        }
    }

    #[test]
    fn public_addresses_are_allowed() {
        for ip in [
            "93.184.216.34",
            "8.8.8.8",
            "172.32.0.1",
            "100.128.0.1",
            "2606:4700::1111",
        ] {
            assert!(!refused(ip), "{ip} must be allowed");
        }
    }

    #[test]
    fn ipv6_forms_of_refused_addresses_are_refused() {
        for ip in [
            "::1",
            "::",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "::ffff:10.0.0.1",
            "::127.0.0.1",
            "64:ff9b::a9fe:a9fe",
            "2002:7f00:1::",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "ff02::1",
        ] {
            assert!(refused(ip), "{ip} must be refused");
        }
        assert_eq!(
            refusal("::ffff:169.254.169.254".parse().expect("ip")),
            Some("an IPv6 form of a refused IPv4 address")
        );
    }

    #[test]
    fn ipv6_forms_of_public_addresses_are_allowed() {
        assert!(!refused("::ffff:8.8.8.8"));
        assert!(!refused("2002:0808:0808::1"));
    }
}
