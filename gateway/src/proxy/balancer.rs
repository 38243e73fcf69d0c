//! Round-robin over the instances of one service, with passive health: an
//! instance whose connection failed or timed out is skipped for a while.

use std::{
    sync::{
        Arc, Mutex,
        atomic::{AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use reqwest::Url;

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
    /// Label for metrics: `catalog[0]`.
    pub label: String,
    /// Skipped until this moment after a failure.
    down_until: Mutex<Option<Instant>>,
}

impl Instance {
    fn is_up(&self, now: Instant) -> bool {
        match self.down_until.lock() {
            Ok(guard) => guard.is_none_or(|until| until <= now),
            Err(_) => true,
        }
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
    pub fn new(service: Service, urls: &[Url], cooldown: Duration) -> Self {
        let instances = urls
            .iter()
            .enumerate()
            .map(|(index, url)| {
                Arc::new(Instance {
                    url: url.clone(),
                    label: format!("{}[{index}]", service.name()),
                    down_until: Mutex::new(None),
                })
            })
            .collect();
        Self {
            service,
            instances,
            next: Arc::new(AtomicUsize::new(0)),
            cooldown,
        }
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
    pub fn pick(&self) -> Option<Arc<Instance>> {
        let count = self.instances.len();
        if count == 0 {
            return None;
        }
        let start = self.next.fetch_add(1, Ordering::Relaxed);
        let now = Instant::now();
        (0..count)
            .map(|offset| &self.instances[(start + offset) % count])
            .find(|instance| instance.is_up(now))
            .or_else(|| self.instances.get(start % count))
            .cloned()
    }

    /// Skips `instance` for the cooldown.
    pub fn mark_down(&self, instance: &Instance) {
        tracing::warn!(instance = %instance.label, url = %instance.url, "upstream instance marked down");
        if let Ok(mut guard) = instance.down_until.lock() {
            *guard = Some(Instant::now() + self.cooldown);
        }
    }

    /// Clears the mark after a success.
    pub fn mark_up(&self, instance: &Instance) {
        if let Ok(mut guard) = instance.down_until.lock()
            && guard.is_some()
        {
            *guard = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn urls(n: u16) -> Vec<Url> {
        (0..n)
            .map(|i| Url::parse(&format!("http://127.0.0.1:{}", 1000 + i)).expect("url"))
            .collect()
    }

    #[test]
    fn instances_are_taken_in_turn() {
        let balancer = Balancer::new(Service::Catalog, &urls(3), Duration::from_secs(10));
        let picked: Vec<String> = (0..6)
            .map(|_| balancer.pick().expect("one").label.clone())
            .collect();
        assert_eq!(picked[0..3], picked[3..6]);
        assert_ne!(picked[0], picked[1]);
    }

    #[test]
    fn a_down_instance_is_skipped_until_its_cooldown_ends() {
        let balancer = Balancer::new(Service::Stream, &urls(2), Duration::from_secs(10));
        let first = balancer.pick().expect("one");
        balancer.mark_down(&first);
        for _ in 0..4 {
            assert_ne!(balancer.pick().expect("one").label, first.label);
        }
        balancer.mark_up(&first);
        let labels: Vec<String> = (0..2)
            .map(|_| balancer.pick().expect("one").label.clone())
            .collect();
        assert!(labels.contains(&first.label));
    }

    #[test]
    fn when_all_are_down_one_is_still_tried() {
        let balancer = Balancer::new(Service::Events, &urls(1), Duration::from_secs(10));
        let only = balancer.pick().expect("one");
        balancer.mark_down(&only);
        assert!(balancer.pick().is_some());
    }
}
