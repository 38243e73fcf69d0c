use serde_json::json;

use crate::helpers::{assert_error, next_of_type, spawn_app};

const ANNOUNCEMENTS: &str = "/api/events/announcements";
const ADMIN: [(&str, &str); 1] = [("x-tonearm-role", "admin")];

#[tokio::test]
async fn only_admins_announce_and_bad_bodies_are_named() {
    let app = spawn_app().await;
    let anonymous = app.post_json(ANNOUNCEMENTS, &[], json!({"text": "hi"})).await;
    assert_error(anonymous, 403, "forbidden").await;
    let shouting = json!({"text": "hi", "level": "shouting"});
    assert_error(
        app.post_json(ANNOUNCEMENTS, &ADMIN, shouting).await,
        400,
        "invalid_level",
    )
    .await;
    let blank = app.post_json(ANNOUNCEMENTS, &ADMIN, json!({"text": "   "})).await;
    assert_eq!(blank.status(), 400);
}

#[tokio::test]
async fn announcements_reach_connected_clients_and_later_ones() {
    let app = spawn_app().await;
    let mut early = app.connect(&[]).await;
    next_of_type(&mut early, "hello").await;
    let admin = [("x-tonearm-role", "admin"), ("x-tonearm-user", "admin-1")];
    let notice = json!({"text": "Maintenance at 22:00", "level": "warning"});
    assert_eq!(app.post_json(ANNOUNCEMENTS, &admin, notice).await.status(), 201);

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

    let listed = app.get_json(ANNOUNCEMENTS, &[]).await;
    assert_eq!(listed["announcements"][0]["id"], pushed["id"]);
}

#[tokio::test]
async fn a_hello_with_many_long_announcements_arrives_whole() {
    let app = spawn_app().await;
    for n in 0..5 {
        let text = format!("{n}{}", "é".repeat(999));
        let response = app
            .post_json(ANNOUNCEMENTS, &ADMIN, json!({ "text": text }))
            .await;
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
