use chrono::{Duration, Utc};

use crate::helpers::{assert_error, spawn_app};

#[tokio::test]
async fn admins_read_the_live_figures_from_the_stats_keys() {
    let app = spawn_app().await;
    let prefix = app.settings.redis.prefix.clone();
    let client = redis::Client::open(app.settings.redis.url.as_str()).expect("redis url");
    let mut redis = client.get_multiplexed_async_connection().await.expect("redis");
    let now = Utc::now();
    let now_ms = now.timestamp_millis();
    let bucket = |ago: i64| {
        format!(
            "{prefix}trending:{}",
            (now - Duration::minutes(ago)).format("%Y%m%d%H%M")
        )
    };
    let keys = [
        format!("{prefix}presence"),
        format!("{prefix}uniq:{}", now.format("%Y%m%d")),
        format!("{prefix}plays:total"),
        bucket(0),
        bucket(2),
        bucket(90),
    ];
    let _: redis::Value = redis::pipe()
        // Two sessions inside the presence window, one long gone.
        .zadd(&keys[0], "sess-1", now_ms - 1_000)
        .zadd(&keys[0], "sess-2", now_ms)
        .zadd(&keys[0], "sess-old", now_ms - 600_000)
        .pfadd(&keys[1], &["user:u1", "user:u2", "session:s3"])
        .set(&keys[2], 42)
        .zadd(&keys[3], "song-a", 3)
        .zadd(&keys[3], "song-b", 1)
        .zadd(&keys[4], "song-a", 1)
        .zadd(&keys[4], "song-c", 5)
        // Older than the hour the dashboard shows: left out everywhere.
        .zadd(&keys[5], "song-d", 100)
        .query_async(&mut redis)
        .await
        .expect("keys written");

    let url = format!("{}/api/events/stats", app.address);
    let response = app
        .client
        .get(&url)
        .header("x-tonearm-role", "admin")
        .send()
        .await
        .expect("answer");
    assert_eq!(response.status(), 200);
    let stats: serde_json::Value = response.json().await.expect("json");
    assert_eq!(stats["online"], 2, "{stats}");
    assert_eq!(stats["unique_listeners_today"], 3, "{stats}");
    assert_eq!(stats["total_plays"], 42, "{stats}");

    let series = stats["plays_per_minute"].as_array().expect("a series");
    assert_eq!(series.len(), 60);
    let minutes: Vec<chrono::DateTime<Utc>> = series
        .iter()
        .map(|point| {
            point["minute"]
                .as_str()
                .expect("minute")
                .parse()
                .expect("RFC 3339")
        })
        .collect();
    assert!(
        minutes
            .windows(2)
            .all(|pair| pair[1] - pair[0] == Duration::minutes(1))
    );
    let plays_at = |ago: i64| {
        let minute = (now - Duration::minutes(ago))
            .format("%Y-%m-%dT%H:%M:00Z")
            .to_string();
        series
            .iter()
            .find(|point| point["minute"] == minute.as_str())
            .map(|point| point["plays"].clone())
    };
    // Looked up by minute, so a minute turning during the test changes nothing.
    assert_eq!(plays_at(0), Some(4.into()), "{stats}");
    assert_eq!(plays_at(2), Some(6.into()), "{stats}");
    let total: u64 = series
        .iter()
        .map(|point| point["plays"].as_u64().expect("plays"))
        .sum();
    assert_eq!(total, 10, "only the last hour counts: {stats}");

    assert_eq!(
        stats["trending"],
        serde_json::json!([
            {"song": "song-c", "title": null, "plays": 5},
            {"song": "song-a", "title": null, "plays": 4},
            {"song": "song-b", "title": null, "plays": 1},
        ])
    );

    let response = app
        .client
        .get(&url)
        .header("x-tonearm-role", "listener")
        .header("x-tonearm-user", "u1")
        .send()
        .await
        .expect("answer");
    assert_error(response, 403, "forbidden").await;

    let _: redis::Value = redis::cmd("DEL")
        .arg(&keys)
        .query_async(&mut redis)
        .await
        .expect("cleaned up");
    app.stop().await;
}
