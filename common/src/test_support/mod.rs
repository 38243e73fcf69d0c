//! What the tests of every Tonearm crate share (the `test-support`
//! feature, enabled only as a dev-dependency): free ports, a private broker,
//! signing in through a gateway. Helpers panic with a message instead of
//! returning errors: they run inside tests.

pub mod broker;
pub mod gateway;
pub mod media;
pub mod metrics;
pub mod socket;

use std::{net::TcpListener, time::Duration};

use crate::{Settings, ports::Ports};

/// Settings for one test's services: a database schema, Redis key prefix
/// and events topic of their own (`test_<id>`, `test:<id>:`,
/// `tonearm.player-events.test-<id>`), every port 0 (a free one) and a
/// one-second shutdown; the id too, for the test's other names. Turns on
/// the tests' logs when `TEST_LOG` is set.
pub fn isolated_settings() -> (Settings, String) {
    crate::telemetry::init_for_tests();
    let id = uuid::Uuid::new_v4().simple().to_string();
    let mut settings = Settings::load().expect("settings load");
    settings.database.schema = format!("test_{id}");
    settings.redis.prefix = format!("test:{id}:");
    settings.kafka.events_topic = format!("tonearm.player-events.test-{id}");
    settings.shutdown_timeout = Duration::from_secs(1);
    settings.ports = Ports {
        gateway: 0,
        catalog: 0,
        stream: 0,
        events: 0,
        stats: 0,
        events_ws: 0,
    };
    (settings, id)
}

/// A loopback port nothing listens on right now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port()
}

/// A URL where nothing listens (an upstream that is down).
pub fn dead_url() -> String {
    format!("http://127.0.0.1:{}", free_port())
}
