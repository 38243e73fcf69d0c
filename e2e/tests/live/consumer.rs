//! stats-consumer in the test's process: the fold that turns the topic's
//! plays into the figures sockets are sent, for tests that follow a play
//! all the way.

use common::Settings;
use stats_consumer::settings::StatsSettings;

/// A running stats-consumer.
pub struct Consumer {
    pub handle: actix_web::dev::ServerHandle,
    pub task: tokio::task::JoinHandle<anyhow::Result<()>>,
}

impl Consumer {
    /// Stops it gracefully; how its run ended.
    pub async fn stop(self) -> anyhow::Result<()> {
        self.handle.stop(true).await;
        self.task.await.expect("the consumer task joins")
    }
}

/// A stats-consumer on `settings`' topic and Redis prefix, a member of
/// `group`; `tweak` adjusts its own settings.
pub async fn spawn_consumer(
    settings: &Settings,
    group: &str,
    tweak: impl FnOnce(&mut StatsSettings),
) -> Consumer {
    let mut stats = StatsSettings::load().expect("stats settings");
    stats.group = group.to_owned();
    tweak(&mut stats);
    let app = stats_consumer::Application::build_with(settings.clone(), stats)
        .await
        .expect("consumer builds");
    Consumer {
        handle: app.handle(),
        task: tokio::spawn(app.run_until_stopped()),
    }
}

/// A group name no other test uses.
pub fn own_group(tag: &str) -> String {
    format!("test-{tag}-{}", uuid::Uuid::new_v4().simple())
}
