//! What listeners do not get to see: the origin URL of an Internet song,
//! which for a private feed carries the subscriber's token.

use reqwest::StatusCode;
use serde_json::Value;

use crate::{
    fixtures::{FixtureServer, Route},
    sources::{app_with, feed},
};

#[tokio::test]
async fn a_private_feed_token_in_an_episode_url_is_shown_to_admins_only() {
    let server = FixtureServer::start().await;
    let private = feed(&[("Members only", "ep1.mp3?token=s3cret-feed-token")]);
    server.set("/feed.xml", Route::ok("application/rss+xml", private));
    let app = app_with(&server).await;
    let response = app
        .admin_post(
            "sources",
            Some(serde_json::json!({ "url": server.url("/feed.xml") })),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let page = app.get_json("songs").await;
    let id = page["items"][0]["id"].as_str().expect("a song").to_owned();

    for role in [None, Some("listener")] {
        let mut request = app.client.get(app.url(&format!("songs/{id}")));
        if let Some(role) = role {
            request = request
                .header("x-tonearm-role", role)
                .header("x-tonearm-user", "u1");
        }
        let response = request.send().await.expect("sent");
        assert_eq!(response.status(), StatusCode::OK);
        let text = response.text().await.expect("body");
        assert!(!text.contains("s3cret-feed-token"), "{role:?}: {text}");
        let song: Value = serde_json::from_str(&text).expect("json");
        assert!(song["url"].is_null(), "{role:?}: {song}");
    }
    for listing in ["songs", "search?q=members", "albums"] {
        let text = app.get(listing).await.text().await.expect("body");
        assert!(!text.contains("s3cret-feed-token"), "{listing}: {text}");
    }
    let song: Value = app
        .admin_get(&format!("songs/{id}"))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(song["url"], server.url("/media/ep1.mp3?token=s3cret-feed-token"));
}
