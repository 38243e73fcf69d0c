//! The web player's path through the gateway against the real services,
//! PostgreSQL, Redis and the broker: sign in, list songs, stream one with a
//! Range request, open `/ws`, send `play`, and see the song's listener
//! count rise.

use std::time::{Duration, Instant};

use common::test_support::socket::upgrade_request;
use futures_util::{SinkExt as _, StreamExt as _};
use tokio_tungstenite::tungstenite::Message;

use crate::helpers::{TestApp, check_range, spawn_app, spawn_live_app};

/// The id of the first song the catalog lists.
async fn first_song(app: &TestApp, cookie: &str) -> String {
    let page: serde_json::Value = app
        .get("/api/catalog/songs", cookie)
        .await
        .json()
        .await
        .expect("json");
    page["items"][0]["id"].as_str().expect("a song id").to_owned()
}

fn stream_request(app: &TestApp, cookie: &str, song: &str) -> reqwest::RequestBuilder {
    app.client
        .get(app.url(&format!("/api/stream/songs/{song}")))
        .header("cookie", cookie)
}

#[tokio::test]
async fn sign_in_list_and_stream_a_range_through_the_real_services() {
    let app = spawn_app().await;
    let cookie = app.admin_cookie().await;
    let song = first_song(&app, &cookie).await;
    check_range(stream_request(&app, &cookie, &song)).await;
}

#[tokio::test]
async fn a_play_through_the_gateway_raises_the_listener_count() {
    let app = spawn_live_app().await;
    let cookie = app.admin_cookie().await;
    let song = first_song(&app, &cookie).await;
    check_range(stream_request(&app, &cookie, &song)).await;

    let url = format!("ws://127.0.0.1:{}/ws", app.port);
    let request = upgrade_request(&url, &[("cookie", cookie.as_str())]);
    let (mut socket, _) = tokio_tungstenite::connect_async(request)
        .await
        .expect("socket through the gateway");
    let play = serde_json::json!({"type": "play", "song": song, "position_ms": 0});
    socket
        .send(Message::text(play.to_string()))
        .await
        .expect("send play");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let remaining = deadline.saturating_duration_since(Instant::now());
        let message = tokio::time::timeout(remaining, socket.next())
            .await
            .expect("the listener count rose in time")
            .expect("socket open")
            .expect("a message");
        let Message::Text(text) = message else { continue };
        let value: serde_json::Value = serde_json::from_str(text.as_str()).expect("json message");
        if value["type"] == "stats"
            && value["song"] == song.as_str()
            && value["listeners"].as_u64() >= Some(1)
        {
            break;
        }
    }
}
