//! Two events-service instances and two stats-consumers on one topic and
//! one Redis prefix, as `cargo xtask up --replicas 2` or a Deployment of
//! two runs them: sockets on different instances see each other's
//! listeners, and when one instance of each stops without a graceful
//! shutdown, no play is lost or counted twice once the survivors catch up.
//! (`cargo xtask test` SIGKILLs real processes in its scale-out step.)

use std::time::Duration;

use redis::AsyncCommands as _;
use serde_json::{Value, json};
use stats_consumer::settings::StatsSettings;

use crate::consumer::{own_group, spawn_consumer};
use crate::helpers::{SONG, Socket, TestApp, isolated_settings, next_of_type, send_json, spawn_app_with};

/// A socket of `session` on `app`, through which `SONG` is played.
async fn playing(app: &TestApp, token: &str, session: &str) -> Socket {
    let mut socket = app
        .connect(&[
            ("x-tonearm-internal-token", token),
            ("x-tonearm-session", session),
        ])
        .await;
    next_of_type(&mut socket, "hello").await;
    send_json(&mut socket, json!({"type": "play", "song": SONG})).await;
    socket
}

/// Reads pushed figures until `want` holds for them (30 s at most).
async fn figures_until(socket: &mut Socket, want: impl Fn(&Value) -> bool) -> Value {
    tokio::time::timeout(Duration::from_secs(30), async {
        loop {
            let stats = next_of_type(socket, "stats").await;
            if want(&stats) {
                return stats;
            }
        }
    })
    .await
    .expect("the figures arrived in time")
}

#[tokio::test]
async fn sockets_on_two_instances_share_counts_and_no_play_is_lost_when_one_instance_of_each_dies() {
    let (mut settings, events) = isolated_settings();
    let token = match settings.internal_token.clone() {
        Some(token) => token,
        None => {
            settings.internal_token = Some("scale-out-test-internal-token".into());
            "scale-out-test-internal-token".into()
        }
    };
    let group = own_group("scale");
    let sweep = |stats: &mut StatsSettings| stats.sweep_interval = Duration::from_millis(200);
    let consumer_a = spawn_consumer(&settings, &group, sweep).await;
    let consumer_b = spawn_consumer(&settings, &group, sweep).await;
    let a = spawn_app_with(settings.clone(), events.clone()).await;
    let mut events_b = events.clone();
    events_b.spool_dir = events.spool_dir.with_extension("b");
    let b = spawn_app_with(settings.clone(), events_b).await;

    let mut on_a = playing(&a, &token, "scale-1").await;
    let mut on_b = playing(&b, &token, "scale-2").await;
    let both = |stats: &Value| stats["plays"] == 2 && stats["listeners"] == 2;
    figures_until(&mut on_a, both).await;
    figures_until(&mut on_b, both).await;

    // One instance of each dies: no graceful stop, no final flush awaited.
    a.handle.stop(false).await;
    a.task.abort();
    drop(on_a);
    consumer_a.handle.stop(false).await;
    consumer_a.task.abort();

    // The listener of A comes back through B, and a third one joins there.
    let _back = playing(&b, &token, "scale-1").await;
    let _third = playing(&b, &token, "scale-3").await;
    let stats = figures_until(&mut on_b, |stats| stats["plays"] == 4).await;
    assert_eq!(stats["song"], SONG);
    assert!(
        stats["listeners"]
            .as_u64()
            .is_some_and(|listeners| listeners >= 2),
        "{stats}"
    );
    // Nothing arrives twice later on.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let mut redis = redis::Client::open(settings.redis.url.as_str())
        .expect("client")
        .get_multiplexed_async_connection()
        .await
        .expect("redis");
    let plays: u64 = redis
        .get(format!("{}song:{SONG}:plays", settings.redis.prefix))
        .await
        .expect("plays");
    assert_eq!(plays, 4, "every play counted once");

    b.stop().await;
    consumer_b
        .stop()
        .await
        .expect("the surviving consumer stops cleanly");
}
