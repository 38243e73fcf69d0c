use serde_json::json;

use crate::helpers::{next_of_type, spawn_app};

#[tokio::test]
async fn only_admins_announce_and_bad_bodies_are_named() {
    let app = spawn_app().await;
    let url = format!("{}/api/events/announcements", app.address);
    let response = app
        .client
        .post(&url)
        .json(&json!({"text": "hi"}))
        .send()
        .await
        .expect("answer");
    assert_eq!(response.status(), 403);
    let body: serde_json::Value = response.json().await.expect("json");
    assert_eq!(body["error"]["code"], "forbidden");

    let response = app
        .client
        .post(&url)
        .header("x-tonearm-role", "admin")
        .json(&json!({"text": "hi", "level": "shouting"}))
        .send()
        .await
        .expect("answer");
    assert_eq!(response.status(), 400);
    let body: serde_json::Value = response.json().await.expect("json");
    assert_eq!(body["error"]["code"], "invalid_level");

    let response = app
        .client
        .post(&url)
        .header("x-tonearm-role", "admin")
        .json(&json!({"text": "   "}))
        .send()
        .await
        .expect("answer");
    assert_eq!(response.status(), 400);
}

#[tokio::test]
async fn announcements_reach_connected_clients_and_later_ones() {
    let app = spawn_app().await;
    let mut early = app.connect(&[]).await;
    next_of_type(&mut early, "hello").await;
    let url = format!("{}/api/events/announcements", app.address);
    let response = app
        .client
        .post(&url)
        .header("x-tonearm-role", "admin")
        .header("x-tonearm-user", "admin-1")
        .json(&json!({"text": "Maintenance at 22:00", "level": "warning"}))
        .send()
        .await
        .expect("answer");
    assert_eq!(response.status(), 201);

    let pushed = next_of_type(&mut early, "announcement").await;
    assert_eq!(pushed["text"], "Maintenance at 22:00");
    assert_eq!(pushed["level"], "warning");
    assert_eq!(pushed["from"], "admin-1");
    assert!(pushed["at"].as_str().is_some_and(|at| at.ends_with('Z')));

    let mut late = app.connect(&[]).await;
    let hello = next_of_type(&mut late, "hello").await;
    assert_eq!(
        hello["announcements"][0]["text"], "Maintenance at 22:00",
        "{hello}"
    );

    let listed: serde_json::Value = app
        .client
        .get(&url)
        .send()
        .await
        .expect("answer")
        .json()
        .await
        .expect("json");
    assert_eq!(listed["announcements"][0]["id"], pushed["id"]);
}

#[tokio::test]
async fn a_hello_with_many_long_announcements_arrives_whole() {
    let app = spawn_app().await;
    let url = format!("{}/api/events/announcements", app.address);
    for n in 0..5 {
        let text = format!("{n}{}", "é".repeat(999));
        let response = app
            .client
            .post(&url)
            .header("x-tonearm-role", "admin")
            .json(&json!({ "text": text }))
            .send()
            .await
            .expect("answer");
        assert_eq!(response.status(), 201);
    }
    // Announcements reach the hub through Redis pub/sub.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let mut socket = app.connect(&[]).await;
        let hello = next_of_type(&mut socket, "hello").await;
        let kept = hello["announcements"].as_array().map_or(0, Vec::len);
        if kept == 5 {
            assert!(
                hello["announcements"][0]["text"]
                    .as_str()
                    .is_some_and(|text| text.starts_with('4'))
            );
            assert_eq!(
                hello["announcements"][4]["text"]
                    .as_str()
                    .map(|t| t.chars().count()),
                Some(1000)
            );
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{kept} announcements in the hello"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}
