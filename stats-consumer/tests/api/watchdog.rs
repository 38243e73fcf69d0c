//! A fold that stops advancing is impossible to miss: `/metrics` shows the
//! partition's lag and `stalled`, `/readyz` fails naming it, and the lag
//! the ops figures read says so; all clear once it advances again.

use std::{
    collections::BTreeMap,
    time::{Duration, Instant},
};

use common::{events::EventType, test_support::metrics};

use crate::helpers::{
    A, TestApp, create_topics, event, isolated_settings, produce_events, producer, redis, song_plays,
};

/// The value of `tonearm_{name}{partition="…"}`, when exported.
async fn gauge(client: &reqwest::Client, app: &TestApp, name: &str, partition: i32) -> Option<f64> {
    let text = metrics::scrape(client, &app.address).await;
    let labelled = format!("partition=\"{partition}\"");
    metrics::value(&text, &format!("tonearm_{name}{{"), &[&labelled])
}

async fn wait_until<F: std::future::Future<Output = bool>>(what: &str, mut check: impl FnMut() -> F) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !check().await {
        assert!(Instant::now() < deadline, "{what} within 30 s");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test]
async fn a_fold_that_cannot_advance_is_reported_stalled_and_clears_once_it_advances() {
    let (settings, mut stats) = isolated_settings();
    stats.stall = Duration::from_secs(2);
    create_topics(&settings).await;
    let mut redis = redis(&settings).await;
    let p = settings.redis.prefix.clone();
    // A counter the fold cannot increment: every batch with a play of A
    // fails, so the partition's stored offset stays where it is.
    let _: () = redis::cmd("SET")
        .arg(format!("{p}song:{A}:plays"))
        .arg("not a number")
        .query_async(&mut redis)
        .await
        .expect("set");
    let app = crate::helpers::spawn_app(&settings, &stats).await;
    produce_events(
        &producer(&settings),
        &settings,
        &[event("w1", EventType::Play, Some(A))],
    )
    .await;
    let partition = crate::helpers::high_watermarks(&settings)
        .await
        .into_keys()
        .next()
        .expect("the event's partition");
    let client = reqwest::Client::new();

    wait_until("stalled in /metrics", || {
        let (client, app) = (&client, &app);
        async move { gauge(client, app, "stats_stalled", partition).await == Some(1.0) }
    })
    .await;
    assert_eq!(gauge(&client, &app, "stats_lag", partition).await, Some(1.0));
    let ready = client
        .get(format!("{}/readyz", app.address))
        .send()
        .await
        .expect("readyz");
    assert_eq!(ready.status(), 503);
    let body: serde_json::Value = ready.json().await.expect("json");
    let why = body["checks"]["fold"]["error"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(
        why.contains(&format!("partition {partition}")) && why.contains("1 events"),
        "{body}"
    );
    let lag: BTreeMap<String, String> = redis::cmd("HGETALL")
        .arg(format!("{p}consumer:lag"))
        .query_async(&mut redis)
        .await
        .expect("lag hash");
    assert_eq!(lag.get("events").map(String::as_str), Some("1"), "{lag:?}");
    assert_eq!(lag.get("stalled").map(String::as_str), Some("1"), "{lag:?}");

    // The counter is repaired: the retried batch goes through.
    let _: () = redis::cmd("DEL")
        .arg(format!("{p}song:{A}:plays"))
        .query_async(&mut redis)
        .await
        .expect("del");
    wait_until("ready again", || {
        let (client, app) = (&client, &app);
        async move {
            client
                .get(format!("{}/readyz", app.address))
                .send()
                .await
                .is_ok_and(|response| response.status() == 200)
        }
    })
    .await;
    assert_eq!(gauge(&client, &app, "stats_stalled", partition).await, Some(0.0));
    assert_eq!(gauge(&client, &app, "stats_lag", partition).await, Some(0.0));
    let plays = song_plays(&settings, &mut redis, A).await;
    assert_eq!(plays, 1, "folded once");
    app.stop().await;
}
