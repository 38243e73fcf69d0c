//! Who the client is when the gateway sits behind proxies. `X-Forwarded-For`
//! and `X-Forwarded-Proto` are believed only when the TCP peer is one of
//! `TONEARM_TRUSTED_PROXIES`; the client is then the right-most address in
//! `X-Forwarded-For` that is not itself a trusted proxy. Everything to the
//! left of that hop was written by the client and is ignored, so a client
//! cannot pick the address its sign-in attempts are counted against.

use std::net::IpAddr;

/// One trusted address or network (`10.0.0.7`, `10.0.0.0/8`, `fd00::/8`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Network {
    base: IpAddr,
    prefix: u8,
}

impl Network {
    fn parse(text: &str) -> Option<Self> {
        let (address, prefix) = match text.split_once('/') {
            Some((address, prefix)) => (address, Some(prefix)),
            None => (text, None),
        };
        let base: IpAddr = address.trim().parse().ok()?;
        let max = if base.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            Some(prefix) => prefix.trim().parse::<u8>().ok().filter(|bits| *bits <= max)?,
            None => max,
        };
        Some(Self { base, prefix })
    }

    fn contains(&self, address: IpAddr) -> bool {
        match (self.base, canonical(address)) {
            (IpAddr::V4(base), IpAddr::V4(address)) => {
                same_prefix(u32::from(base).into(), u32::from(address).into(), self.prefix, 32)
            }
            (IpAddr::V6(base), IpAddr::V6(address)) => {
                same_prefix(u128::from(base), u128::from(address), self.prefix, 128)
            }
            _ => false,
        }
    }
}

fn same_prefix(a: u128, b: u128, prefix: u8, width: u8) -> bool {
    let shift = u32::from(width - prefix);
    prefix == 0 || a.checked_shr(shift) == b.checked_shr(shift)
}

/// `::ffff:10.0.0.1` (an IPv4 peer on a dual-stack socket) is `10.0.0.1`.
fn canonical(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(address, IpAddr::V4),
        IpAddr::V4(_) => address,
    }
}

/// The proxies whose forwarding headers are believed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<Network>);

impl TrustedProxies {
    /// Comma-separated addresses and networks; empty trusts nobody.
    pub fn parse(value: &str) -> Result<Self, String> {
        value
            .split(',')
            .map(str::trim)
            .filter(|part| !part.is_empty())
            .map(|part| {
                Network::parse(part).ok_or_else(|| {
                    format!("expected IP addresses or networks such as 10.0.0.0/8, got {part:?}")
                })
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Self)
    }

    pub fn contains(&self, address: IpAddr) -> bool {
        self.0.iter().any(|network| network.contains(address))
    }

    /// The client's address: `peer` itself unless it is a trusted proxy;
    /// then the right-most `X-Forwarded-For` hop that is not trusted (all
    /// `X-Forwarded-For` headers read as one list, in order). A hop that is
    /// not an address stops the walk at the proxy that passed it on.
    pub fn client(&self, peer: IpAddr, forwarded_for: &[&str]) -> IpAddr {
        let mut client = canonical(peer);
        if !self.contains(client) {
            return client;
        }
        let hops = forwarded_for
            .iter()
            .flat_map(|value| value.split(','))
            .map(str::trim)
            .filter(|hop| !hop.is_empty());
        for hop in hops.rev() {
            let Some(address) = parse_hop(hop) else {
                return client;
            };
            client = canonical(address);
            if !self.contains(client) {
                return client;
            }
        }
        client
    }

    /// Whether the client used https: a TLS connection to the gateway, or a
    /// trusted proxy's `X-Forwarded-Proto` (its right-most value, the one
    /// the nearest proxy wrote) saying so.
    pub fn is_https(&self, peer: Option<IpAddr>, tls: bool, forwarded_proto: &[&str]) -> bool {
        if tls {
            return true;
        }
        if !peer.is_some_and(|peer| self.contains(canonical(peer))) {
            return false;
        }
        forwarded_proto
            .iter()
            .flat_map(|value| value.split(','))
            .map(str::trim)
            .rfind(|value| !value.is_empty())
            .is_some_and(|proto| proto.eq_ignore_ascii_case("https"))
    }
}

/// `203.0.113.7`, `203.0.113.7:5123`, `2001:db8::1` or `[2001:db8::1]:5123`.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    hop.parse::<IpAddr>()
        .ok()
        .or_else(|| hop.parse::<std::net::SocketAddr>().ok().map(|socket| socket.ip()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().expect("address")
    }

    #[test]
    fn networks_match_by_prefix() {
        let trusted = TrustedProxies::parse("10.0.0.0/8, 192.168.1.7, fd00::/8").expect("valid");
        assert!(trusted.contains(ip("10.200.3.4")));
        assert!(trusted.contains(ip("::ffff:10.1.1.1")));
        assert!(trusted.contains(ip("192.168.1.7")));
        assert!(!trusted.contains(ip("192.168.1.8")));
        assert!(trusted.contains(ip("fd12::1")));
        assert!(!trusted.contains(ip("11.0.0.1")));
        assert!(TrustedProxies::parse("10.0.0.0/33").is_err());
        assert!(TrustedProxies::parse("proxy.local").is_err());
        assert!(
            TrustedProxies::parse("0.0.0.0/0")
                .expect("all")
                .contains(ip("8.8.8.8"))
        );
    }

    #[test]
    fn the_right_most_untrusted_hop_is_the_client() {
        let trusted = TrustedProxies::parse("10.0.0.0/8").expect("valid");
        // Untrusted peer: its headers mean nothing.
        assert_eq!(
            trusted.client(ip("198.51.100.9"), &["1.2.3.4"]),
            ip("198.51.100.9")
        );
        // The client forged the left part; the proxies appended the rest.
        assert_eq!(
            trusted.client(ip("10.0.0.2"), &["1.2.3.4, 203.0.113.7", "10.0.0.1"]),
            ip("203.0.113.7")
        );
        assert_eq!(
            trusted.client(ip("10.0.0.2"), &["garbage, 10.0.0.3"]),
            ip("10.0.0.3")
        );
        assert_eq!(trusted.client(ip("10.0.0.2"), &[]), ip("10.0.0.2"));
        assert_eq!(
            trusted.client(ip("10.0.0.2"), &["[2001:db8::1]:443"]),
            ip("2001:db8::1")
        );
    }

    #[test]
    fn https_is_believed_only_from_trusted_proxies() {
        let trusted = TrustedProxies::parse("10.0.0.1").expect("valid");
        assert!(trusted.is_https(Some(ip("10.0.0.1")), false, &["https"]));
        assert!(!trusted.is_https(Some(ip("10.0.0.2")), false, &["https"]));
        assert!(!trusted.is_https(Some(ip("10.0.0.1")), false, &["https, http"]));
        assert!(trusted.is_https(None, true, &[]));
    }
}
