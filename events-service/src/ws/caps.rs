//! Caps on open sockets per signed-in user and per client address, so that
//! one client cannot hold thousands of sockets (each one a session in the
//! online figures, each one allowed its own message rate).

use std::{
    collections::HashMap,
    net::{IpAddr, Ipv6Addr, SocketAddr},
    sync::{Arc, Mutex, PoisonError},
};

use tokio_tungstenite::tungstenite::http::HeaderMap;

/// Why an upgrade was refused; the client is told which cap it reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CapReached {
    #[error("this account already has {0} open sockets; close one first")]
    User(usize),
    #[error("this address already has {0} open sockets; close one first")]
    Address(usize),
}

#[derive(Default)]
struct Open {
    users: HashMap<String, usize>,
    addresses: HashMap<IpAddr, usize>,
}

/// The open sockets of this instance, by user and by address.
pub struct SocketCaps {
    per_user: usize,
    per_address: usize,
    open: Mutex<Open>,
}

/// One admitted socket; dropping it frees its place.
pub struct SocketPermit {
    caps: Arc<SocketCaps>,
    user: Option<String>,
    address: IpAddr,
}

impl SocketCaps {
    pub fn new(per_user: usize, per_address: usize) -> Arc<Self> {
        Arc::new(Self {
            per_user,
            per_address,
            open: Mutex::new(Open::default()),
        })
    }

    /// Takes a place for a socket of `user` from `address`, or says which
    /// cap is reached.
    pub fn admit(self: &Arc<Self>, user: Option<&str>, address: IpAddr) -> Result<SocketPermit, CapReached> {
        let address = group(address);
        let mut open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
        if open.addresses.get(&address).copied().unwrap_or(0) >= self.per_address {
            return Err(CapReached::Address(self.per_address));
        }
        if let Some(user) = user
            && open.users.get(user).copied().unwrap_or(0) >= self.per_user
        {
            return Err(CapReached::User(self.per_user));
        }
        *open.addresses.entry(address).or_default() += 1;
        if let Some(user) = user {
            *open.users.entry(user.to_owned()).or_default() += 1;
        }
        Ok(SocketPermit {
            caps: Arc::clone(self),
            user: user.map(str::to_owned),
            address,
        })
    }
}

impl std::fmt::Debug for SocketPermit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SocketPermit")
            .field("user", &self.user)
            .field("address", &self.address)
            .finish()
    }
}

impl Drop for SocketPermit {
    fn drop(&mut self) {
        let mut open = self.caps.open.lock().unwrap_or_else(PoisonError::into_inner);
        release(&mut open.addresses, &self.address);
        if let Some(user) = &self.user {
            release(&mut open.users, user);
        }
    }
}

fn release<K: std::hash::Hash + Eq>(counts: &mut HashMap<K, usize>, key: &K) {
    if let Some(count) = counts.get_mut(key) {
        *count = count.saturating_sub(1);
        if *count == 0 {
            counts.remove(key);
        }
    }
}

/// One client per IPv4 address, and per IPv6 /64 (what one home or one
/// server is usually given, so changing the low bits gains nothing).
fn group(address: IpAddr) -> IpAddr {
    match address.to_canonical() {
        IpAddr::V6(v6) => {
            let bits = u128::from(v6) & !u128::from(u64::MAX);
            IpAddr::V6(Ipv6Addr::from(bits))
        }
        v4 => v4,
    }
}

/// The client's address: the gateway's `x-forwarded-for` when the upgrade
/// came from the gateway (it carried the internal token; the gateway sets
/// the header itself from the connection or its trusted proxies), else the
/// TCP peer. Without a token anybody could write that header, so it is
/// ignored.
pub fn client_address(headers: &HeaderMap, peer: SocketAddr, from_gateway: bool) -> IpAddr {
    let forwarded = || {
        let value = headers.get("x-forwarded-for")?.to_str().ok()?;
        value.rsplit(',').next()?.trim().parse::<IpAddr>().ok()
    };
    from_gateway
        .then(forwarded)
        .flatten()
        .unwrap_or_else(|| peer.ip())
}

#[cfg(test)]
mod tests {
    use tokio_tungstenite::tungstenite::http::HeaderValue;

    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().expect("address")
    }

    #[test]
    fn places_are_counted_per_user_and_per_address_and_freed_on_drop() {
        let caps = SocketCaps::new(2, 3);
        let first = caps.admit(Some("u1"), ip("10.0.0.1")).expect("1");
        let _second = caps.admit(Some("u1"), ip("10.0.0.2")).expect("2");
        assert_eq!(
            caps.admit(Some("u1"), ip("10.0.0.3")).err(),
            Some(CapReached::User(2))
        );
        let _anon = caps.admit(None, ip("10.0.0.1")).expect("3");
        let _other = caps.admit(Some("u2"), ip("10.0.0.1")).expect("4");
        assert_eq!(
            caps.admit(None, ip("10.0.0.1")).err(),
            Some(CapReached::Address(3))
        );
        drop(first);
        caps.admit(Some("u1"), ip("10.0.0.9")).expect("a freed place");
    }

    #[test]
    fn an_ipv6_64_is_one_client() {
        let caps = SocketCaps::new(10, 1);
        let _held = caps.admit(None, ip("2001:db8:1:2::1")).expect("first");
        assert!(caps.admit(None, ip("2001:db8:1:2:ffff::9")).is_err());
        assert!(caps.admit(None, ip("2001:db8:1:3::1")).is_ok());
    }

    #[test]
    fn forwarded_for_is_read_only_from_the_gateway() {
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-for", HeaderValue::from_static("203.0.113.9"));
        let peer: SocketAddr = "127.0.0.1:5000".parse().expect("peer");
        assert_eq!(client_address(&headers, peer, true), ip("203.0.113.9"));
        assert_eq!(client_address(&headers, peer, false), ip("127.0.0.1"));
        headers.insert("x-forwarded-for", HeaderValue::from_static("not an address"));
        assert_eq!(client_address(&headers, peer, true), ip("127.0.0.1"));
    }
}
