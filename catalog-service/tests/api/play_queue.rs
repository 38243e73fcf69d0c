//! The saved play queue, and what happens to everything a user keeps when
//! a song leaves the catalog.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::personal::{As, error, library, song_id, values};

#[tokio::test]
async fn a_saved_queue_is_restored_for_the_same_user_only() {
    let app = library().await;
    let ann = As::user(&app, "ann-id");
    let bob = As::user(&app, "bob-id");
    let never = ann.get("play-queue").await;
    assert_eq!(
        never,
        json!({"songs": [], "current": null, "position_ms": 0, "changed_at": null, "changed_by": null})
    );
    let (one, two) = (song_id(&app, "One").await, song_id(&app, "Two").await);
    let body = json!({"songs": [two, one, two], "current": one, "position_ms": 61_500, "client": "web"});
    ann.expect(Method::PUT, "play-queue", Some(body), StatusCode::NO_CONTENT)
        .await;
    let queue = ann.get("play-queue").await;
    assert_eq!(values(&queue["songs"], "title"), ["Two", "One", "Two"]);
    assert_eq!(queue["current"], json!(one));
    assert_eq!(queue["position_ms"], 61_500);
    assert_eq!(queue["changed_by"], "web");
    assert!(queue["changed_at"].is_string(), "{queue}");
    assert_eq!(bob.get("play-queue").await["songs"], json!([]));

    // Saving again replaces it.
    let body = json!({"songs": [one], "current": null, "position_ms": 0});
    ann.expect(Method::PUT, "play-queue", Some(body), StatusCode::NO_CONTENT)
        .await;
    let queue = ann.get("play-queue").await;
    assert_eq!(values(&queue["songs"], "title"), ["One"]);
    assert_eq!(
        (queue["current"].clone(), queue["changed_by"].clone()),
        (Value::Null, Value::Null)
    );
}

#[tokio::test]
async fn a_bad_queue_is_refused_with_a_json_error_and_the_saved_one_kept() {
    let app = library().await;
    let ann = As::user(&app, "ann-id");
    let (one, two) = (song_id(&app, "One").await, song_id(&app, "Two").await);
    let saved = json!({"songs": [one], "current": one, "position_ms": 5});
    ann.expect(Method::PUT, "play-queue", Some(saved), StatusCode::NO_CONTENT)
        .await;
    let unknown = uuid::Uuid::new_v4().to_string();
    let cases = [
        (
            json!({"songs": [one], "current": two, "position_ms": 0}),
            "invalid_field",
            "current",
        ),
        (
            json!({"songs": [one], "current": null, "position_ms": -1}),
            "invalid_field",
            "position_ms",
        ),
        (
            json!({"songs": [unknown], "current": null, "position_ms": 0}),
            "unknown_song",
            unknown.as_str(),
        ),
        (
            json!({"songs": ["x"], "current": null, "position_ms": 0}),
            "invalid_id",
            "\"x\"",
        ),
        (
            json!({"songs": [one], "current": null, "position_ms": 0, "client": "c".repeat(101)}),
            "invalid_field",
            "client",
        ),
        (json!({"songs": [one]}), "invalid_json", "position_ms"),
    ];
    for (body, code, named) in cases {
        let response = ann.send(Method::PUT, "play-queue", Some(body.clone())).await;
        let message = error(response, StatusCode::BAD_REQUEST, code).await;
        assert!(message.contains(named), "{body}: {message}");
    }
    let too_many: Vec<String> = (0..5001).map(|_| one.clone()).collect();
    let body = json!({"songs": too_many, "current": null, "position_ms": 0});
    error(
        ann.send(Method::PUT, "play-queue", Some(body)).await,
        StatusCode::BAD_REQUEST,
        "invalid_field",
    )
    .await;
    let queue = ann.get("play-queue").await;
    assert_eq!(
        (queue["current"].clone(), queue["position_ms"].clone()),
        (json!(one), json!(5))
    );
}

#[tokio::test]
async fn a_song_removed_from_the_catalog_leaves_favourites_playlists_and_queues() {
    let app = library().await;
    let ann = As::user(&app, "ann-id");
    let (one, two, three) = (
        song_id(&app, "One").await,
        song_id(&app, "Two").await,
        song_id(&app, "Three").await,
    );
    ann.expect(
        Method::PUT,
        &format!("favourites/songs/{three}"),
        None,
        StatusCode::NO_CONTENT,
    )
    .await;
    let body = json!({"name": "Mix", "songs": [three, one, three]});
    let playlist = ann
        .expect(Method::POST, "playlists", Some(body), StatusCode::CREATED)
        .await;
    let body = json!({"songs": [one, three, two], "current": three, "position_ms": 900});
    ann.expect(Method::PUT, "play-queue", Some(body), StatusCode::NO_CONTENT)
        .await;

    std::fs::remove_file(app.music.path().join("Three.mp3")).expect("removing");
    let progress = app.scan().await;
    assert_eq!(progress["removed"], 1, "{progress}");

    assert_eq!(ann.get("favourites/ids").await["songs"], json!([]));
    let path = format!("playlists/{}", playlist["id"].as_str().expect("id"));
    let playlist = ann.get(&path).await;
    assert_eq!(values(&playlist["songs"], "title"), ["One"]);
    assert_eq!(playlist["song_count"], 1);
    let queue = ann.get("play-queue").await;
    assert_eq!(values(&queue["songs"], "title"), ["One", "Two"]);
    assert_eq!(queue["current"], Value::Null);
    // What is left can still be appended to in order.
    let appended = ann
        .expect(
            Method::POST,
            &format!("{path}/songs"),
            Some(json!({"songs": [two]})),
            StatusCode::OK,
        )
        .await;
    assert_eq!(values(&appended["songs"], "title"), ["One", "Two"]);
}
