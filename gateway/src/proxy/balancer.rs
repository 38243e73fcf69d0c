//! Round-robin over the instances of one service, with passive health: an
//! instance whose connection failed or timed out is skipped for a while.
//!
//! Picking takes no lock: the cursor and each instance's down mark are
//! atomics, so concurrent requests never wait on one another here.

use std::{
    str::FromStr as _,
    sync::{
        Arc,
        atomic::{AtomicU64, AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use anyhow::Context as _;
use hyper::http::uri::{self, Authority, PathAndQuery, Scheme, Uri};
use reqwest::Url;

use super::metrics::{InstanceMetrics, ProxyMetrics};

/// A request path that is not a valid URI path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvalidPath;

/// The services behind the gateway.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Service {
    Catalog,
    Stream,
    Events,
    /// The events service's WebSocket listener (`/ws`).
    EventsSocket,
}

impl Service {
    /// The name used in error messages, metrics and logs.
    pub fn name(self) -> &'static str {
        match self {
            Self::Catalog => "catalog",
            Self::Stream => "stream",
            Self::Events => "events",
            Self::EventsSocket => "events-ws",
        }
    }
}

/// One instance of a service.
#[derive(Debug)]
pub struct Instance {
    pub url: Url,
    /// The URL without its trailing `/`, ready to take a request's path
    /// and query (built once rather than per request).
    pub base: String,
    /// The path of `url` without its trailing `/` (empty for `/`), put
    /// before every request's path.
    base_path: String,
    scheme: Scheme,
    authority: Authority,
    /// Label for metrics: `catalog[0]`.
    pub label: String,
    /// Its request counters and latency histogram.
    pub metrics: InstanceMetrics,
    /// Skipped until `epoch` + this many nanoseconds after a failure; 0
    /// when up.
    down_until: AtomicU64,
    epoch: Instant,
}

impl Instance {
    /// The URI of `path_and_query` (which starts with `/`) on this
    /// instance: the base URL with the path appended, from the scheme and
    /// authority parsed at start (only the path and query are checked per
    /// request, and they go upstream as the client sent them).
    pub fn uri_for(&self, path_and_query: &str) -> Result<Uri, InvalidPath> {
        let path_and_query = if self.base_path.is_empty() {
            PathAndQuery::from_str(path_and_query)
        } else {
            PathAndQuery::from_str(&format!("{}{path_and_query}", self.base_path))
        }
        .map_err(|_| InvalidPath)?;
        let mut parts = uri::Parts::default();
        parts.scheme = Some(self.scheme.clone());
        parts.authority = Some(self.authority.clone());
        parts.path_and_query = Some(path_and_query);
        Uri::from_parts(parts).map_err(|_| InvalidPath)
    }

    fn is_up(&self, now: Instant) -> bool {
        match self.down_until.load(Ordering::Relaxed) {
            0 => true,
            until => self.nanos_since_epoch(now) >= until,
        }
    }

    fn nanos_since_epoch(&self, now: Instant) -> u64 {
        // At least 1, so a mark is never 0 ("up"); u64 nanoseconds last 584 years.
        u64::try_from(now.saturating_duration_since(self.epoch).as_nanos())
            .unwrap_or(u64::MAX)
            .max(1)
    }
}

/// The instances of one service and the round-robin cursor.
#[derive(Debug, Clone)]
pub struct Balancer {
    service: Service,
    instances: Arc<[Arc<Instance>]>,
    next: Arc<AtomicUsize>,
    cooldown: Duration,
}

impl Balancer {
    /// The balancer of `service`'s instances; fails when a URL has no host
    /// (the settings refuse those already).
    pub fn new(
        service: Service,
        urls: &[Url],
        cooldown: Duration,
        metrics: &ProxyMetrics,
    ) -> anyhow::Result<Self> {
        let epoch = Instant::now();
        let instances = urls
            .iter()
            .enumerate()
            .map(|(index, url)| {
                let label = format!("{}[{index}]", service.name());
                let parsed = Uri::from_str(url.as_str())
                    .with_context(|| format!("the URL of {label} is not a valid URI"))?;
                let (Some(scheme), Some(authority)) = (parsed.scheme(), parsed.authority()) else {
                    anyhow::bail!("the URL of {label} has no scheme or host");
                };
                Ok(Arc::new(Instance {
                    url: url.clone(),
                    base: url.as_str().trim_end_matches('/').to_owned(),
                    base_path: url.path().trim_end_matches('/').to_owned(),
                    scheme: scheme.clone(),
                    authority: authority.clone(),
                    metrics: metrics.for_instance(service.name(), &label),
                    label,
                    down_until: AtomicU64::new(0),
                    epoch,
                }))
            })
            .collect::<anyhow::Result<_>>()?;
        Ok(Self {
            service,
            instances,
            next: Arc::new(AtomicUsize::new(0)),
            cooldown,
        })
    }

    pub fn service(&self) -> Service {
        self.service
    }

    pub fn len(&self) -> usize {
        self.instances.len()
    }

    pub fn is_empty(&self) -> bool {
        self.instances.is_empty()
    }

    /// The next healthy instance in turn; when every instance is marked
    /// down, the next one anyway (it may have come back, and failing fast
    /// with a clear 503 is no worse than refusing without trying).
    pub fn pick(&self) -> Option<&Arc<Instance>> {
        let count = self.instances.len();
        if count == 0 {
            return None;
        }
        let start = self.next.fetch_add(1, Ordering::Relaxed);
        if count == 1 {
            return self.instances.first();
        }
        let now = Instant::now();
        (0..count)
            .map(|offset| &self.instances[(start + offset) % count])
            .find(|instance| instance.is_up(now))
            .or_else(|| self.instances.get(start % count))
    }

    /// Skips `instance` for the cooldown.
    pub fn mark_down(&self, instance: &Instance) {
        tracing::warn!(instance = %instance.label, url = %instance.url, "upstream instance marked down");
        let until = instance.nanos_since_epoch(Instant::now() + self.cooldown);
        instance.down_until.store(until, Ordering::Relaxed);
    }

    /// Clears the mark after a success (a load, and a store only when it
    /// was set, so answered requests do not contend on the cache line).
    pub fn mark_up(&self, instance: &Instance) {
        if instance.down_until.load(Ordering::Relaxed) != 0 {
            instance.down_until.store(0, Ordering::Relaxed);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn metrics() -> ProxyMetrics {
        ProxyMetrics::register(&prometheus::Registry::new()).expect("metrics")
    }

    fn urls(n: u16) -> Vec<Url> {
        (0..n)
            .map(|i| Url::parse(&format!("http://127.0.0.1:{}", 1000 + i)).expect("url"))
            .collect()
    }

    #[test]
    fn instances_are_taken_in_turn() {
        let balancer =
            Balancer::new(Service::Catalog, &urls(3), Duration::from_secs(10), &metrics()).expect("balancer");
        let picked: Vec<String> = (0..6)
            .map(|_| balancer.pick().expect("one").label.clone())
            .collect();
        assert_eq!(picked[0..3], picked[3..6]);
        assert_ne!(picked[0], picked[1]);
    }

    #[test]
    fn a_down_instance_is_skipped_until_its_cooldown_ends() {
        let balancer =
            Balancer::new(Service::Stream, &urls(2), Duration::from_secs(10), &metrics()).expect("balancer");
        let first = balancer.pick().expect("one");
        balancer.mark_down(first);
        for _ in 0..4 {
            assert_ne!(balancer.pick().expect("one").label, first.label);
        }
        balancer.mark_up(first);
        let labels: Vec<String> = (0..2)
            .map(|_| balancer.pick().expect("one").label.clone())
            .collect();
        assert!(labels.contains(&first.label));
    }

    #[test]
    fn request_uris_are_the_base_with_the_path_appended() {
        for base in [
            "http://127.0.0.1:8082",
            "http://127.0.0.1:8082/",
            "https://stream.internal/prefix/",
        ] {
            let base = Url::parse(base).expect("base");
            let balancer = Balancer::new(
                Service::Stream,
                std::slice::from_ref(&base),
                Duration::ZERO,
                &metrics(),
            )
            .expect("balancer");
            let instance = balancer.pick().expect("one");
            for path in [
                "/api/stream/songs/0f3e",
                "/api/stream/songs/0f3e?format=opus&bitrate=96",
                "/api/catalog/songs?q=a%20b&sort=",
                "/api/catalog/songs?",
                "/",
            ] {
                let expected = format!("{}{path}", base.as_str().trim_end_matches('/'));
                let uri = instance.uri_for(path).expect("uri");
                assert_eq!(uri.to_string(), expected, "{base} + {path}");
            }
            assert_eq!(instance.uri_for("/a b"), Err(InvalidPath));
        }
    }

    #[test]
    fn a_down_instance_comes_back_after_its_cooldown() {
        let balancer = Balancer::new(Service::Stream, &urls(2), Duration::from_millis(20), &metrics())
            .expect("balancer");
        let first = balancer.pick().expect("one").clone();
        balancer.mark_down(&first);
        assert!(!first.is_up(Instant::now()));
        std::thread::sleep(Duration::from_millis(30));
        assert!(first.is_up(Instant::now()));
    }

    #[test]
    fn when_all_are_down_one_is_still_tried() {
        let balancer =
            Balancer::new(Service::Events, &urls(1), Duration::from_secs(10), &metrics()).expect("balancer");
        let only = balancer.pick().expect("one");
        balancer.mark_down(only);
        assert!(balancer.pick().is_some());
    }
}
