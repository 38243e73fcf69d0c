//! Kafka clients and topics. Everything here speaks the plain Kafka
//! protocol, so Apache Kafka in production and tansu in development behave
//! the same.

use std::{sync::Arc, time::Duration};

use anyhow::Context as _;
use futures_util::future::BoxFuture;
use rdkafka::{
    ClientConfig,
    admin::{AdminClient, AdminOptions, NewTopic, TopicReplication},
    client::DefaultClientContext,
    error::KafkaError,
    types::RDKafkaErrorCode,
};

use crate::{Settings, health::DependencyCheck, settings::KafkaSettings};

/// The base configuration shared by producers, consumers and admin clients.
pub fn client_config(settings: &KafkaSettings) -> ClientConfig {
    let mut config = ClientConfig::new();
    config
        .set("bootstrap.servers", &settings.brokers)
        // Reconnect quickly after a broker restart instead of backing off for
        // up to ten seconds.
        .set("reconnect.backoff.max.ms", "1000")
        .set("socket.timeout.ms", "10000");
    config
}

/// A topic and the number of partitions it is created with.
#[derive(Debug, Clone)]
pub struct TopicSpec {
    pub name: String,
    pub partitions: i32,
}

/// Creates the topics that do not exist yet; existing ones are left as they
/// are. Tansu creates no topic by itself, and production clusters usually
/// disable auto-creation, so services call this at start.
pub async fn ensure_topics(settings: &KafkaSettings, topics: &[TopicSpec]) -> anyhow::Result<()> {
    let admin: AdminClient<DefaultClientContext> = client_config(settings)
        .create()
        .context("creating the Kafka admin client")?;
    let new_topics: Vec<NewTopic<'_>> = topics
        .iter()
        .map(|topic| NewTopic::new(&topic.name, topic.partitions, TopicReplication::Fixed(1)))
        .collect();
    let options = AdminOptions::new().operation_timeout(Some(Duration::from_secs(10)));
    let results = admin
        .create_topics(&new_topics, &options)
        .await
        .context("asking the broker to create topics")?;
    for result in results {
        match result {
            Ok(_) | Err((_, RDKafkaErrorCode::TopicAlreadyExists)) => {}
            Err((topic, code)) => anyhow::bail!("creating topic {topic}: {code}"),
        }
    }
    Ok(())
}

/// The broker answers a metadata request and lists every required topic.
pub struct KafkaCheck {
    admin: Arc<AdminClient<DefaultClientContext>>,
    topics: Vec<String>,
    timeout: Duration,
}

impl KafkaCheck {
    pub fn new(settings: &KafkaSettings, topics: Vec<String>, timeout: Duration) -> Result<Self, KafkaError> {
        let admin = client_config(settings).create()?;
        Ok(Self {
            admin: Arc::new(admin),
            topics,
            timeout,
        })
    }
}

impl DependencyCheck for KafkaCheck {
    fn name(&self) -> &str {
        "kafka"
    }

    fn check(&self) -> BoxFuture<'_, Result<(), String>> {
        let admin = Arc::clone(&self.admin);
        let topics = self.topics.clone();
        let timeout = self.timeout;
        Box::pin(async move {
            let metadata = tokio::task::spawn_blocking(move || admin.inner().fetch_metadata(None, timeout))
                .await
                .map_err(|error| error.to_string())?
                .map_err(|error| error.to_string())?;
            let missing: Vec<&str> = topics
                .iter()
                .filter(|wanted| {
                    !metadata
                        .topics()
                        .iter()
                        .any(|topic| topic.name() == wanted.as_str())
                })
                .map(String::as_str)
                .collect();
            if missing.is_empty() {
                Ok(())
            } else {
                Err(format!("missing topics: {}", missing.join(", ")))
            }
        })
    }
}

/// The topics of the player-event pipeline: the events topic and its
/// dead-letter topic.
pub fn event_topics(settings: &KafkaSettings) -> Vec<TopicSpec> {
    vec![
        TopicSpec {
            name: settings.events_topic.clone(),
            partitions: 3,
        },
        TopicSpec {
            name: settings.dlq_topic(),
            partitions: 1,
        },
    ]
}

/// What a service of the player-event pipeline needs of its topics: a
/// readiness check that they exist, and a task that creates them once the
/// broker accepts ([`ensure_topics_in_background`]).
pub fn event_topics_readiness(
    settings: &Settings,
) -> Result<(KafkaCheck, tokio::task::JoinHandle<()>), KafkaError> {
    let topics = event_topics(&settings.kafka);
    let names = topics.iter().map(|topic| topic.name.clone()).collect();
    let check = KafkaCheck::new(&settings.kafka, names, settings.readiness_timeout)?;
    Ok((check, ensure_topics_in_background(settings.kafka.clone(), topics)))
}

/// Keeps trying [`ensure_topics`] every two seconds until the broker
/// accepts, so a service started before its broker becomes ready by itself.
pub fn ensure_topics_in_background(
    settings: KafkaSettings,
    topics: Vec<TopicSpec>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            match ensure_topics(&settings, &topics).await {
                Ok(()) => return,
                Err(error) => {
                    tracing::warn!(error = format!("{error:#}"), "topics not ensured yet; retrying");
                    tokio::time::sleep(Duration::from_secs(2)).await;
                }
            }
        }
    })
}
