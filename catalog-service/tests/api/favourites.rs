//! Favourites: starring and unstarring songs, albums and artists.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::personal::{As, error, library, song_id, values};

#[tokio::test]
async fn starring_is_idempotent_and_listed_newest_first_with_its_time() {
    let app = library().await;
    let ann = As::user(&app, "ann-id");
    let (one, three) = (song_id(&app, "One").await, song_id(&app, "Three").await);
    let album = app.get_json("albums").await["items"][0]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let artist = app.get_json("artists").await["items"][1]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    for path in [
        format!("favourites/songs/{one}"),
        format!("favourites/songs/{three}"),
        format!("favourites/songs/{one}"),
        format!("favourites/albums/{album}"),
        format!("favourites/artists/{artist}"),
    ] {
        ann.expect(Method::PUT, &path, None, StatusCode::NO_CONTENT).await;
    }
    let favourites = ann.get("favourites").await;
    // Starring "One" again kept its first time, so "Three" is the newest.
    assert_eq!(values(&favourites["songs"], "title"), ["Three", "One"]);
    assert!(favourites["songs"][0]["starred_at"].is_string(), "{favourites}");
    assert_eq!(favourites["songs"][0]["album"]["title"], "Second");
    assert_eq!(values(&favourites["albums"], "title"), ["First"]);
    assert_eq!(favourites["albums"][0]["song_count"], 2);
    assert_eq!(values(&favourites["artists"], "name"), ["Bob"]);
    let ids = ann.get("favourites/ids").await;
    assert_eq!(
        ids,
        json!({"songs": [three, one], "albums": [album], "artists": [artist]})
    );

    for _ in 0..2 {
        let path = format!("favourites/songs/{three}");
        ann.expect(Method::DELETE, &path, None, StatusCode::NO_CONTENT)
            .await;
    }
    assert_eq!(ann.get("favourites/ids").await["songs"], json!([one]));
}

#[tokio::test]
async fn another_users_favourites_are_not_visible() {
    let app = library().await;
    let ann = As::user(&app, "ann-id");
    let bob = As::user(&app, "bob-id");
    let one = song_id(&app, "One").await;
    ann.expect(
        Method::PUT,
        &format!("favourites/songs/{one}"),
        None,
        StatusCode::NO_CONTENT,
    )
    .await;
    assert_eq!(bob.get("favourites/ids").await["songs"], json!([]));
    assert_eq!(bob.get("favourites").await["songs"], json!([]));
    // Bob unstarring it does not touch Ann's star.
    bob.expect(
        Method::DELETE,
        &format!("favourites/songs/{one}"),
        None,
        StatusCode::NO_CONTENT,
    )
    .await;
    assert_eq!(ann.get("favourites/ids").await["songs"], json!([one]));
}

#[tokio::test]
async fn unknown_items_and_kinds_malformed_ids_and_anonymous_callers_are_refused() {
    let app = library().await;
    let ann = As::user(&app, "ann-id");
    let unknown = uuid::Uuid::new_v4();
    let message = error(
        ann.send(Method::PUT, &format!("favourites/albums/{unknown}"), None)
            .await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    assert!(message.contains(&format!("album {unknown}")), "{message}");
    error(
        ann.send(Method::PUT, "favourites/songs/not-a-uuid", None).await,
        StatusCode::BAD_REQUEST,
        "invalid_id",
    )
    .await;
    error(
        ann.send(Method::PUT, &format!("favourites/genres/{unknown}"), None)
            .await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    let anonymous = app.client.get(app.url("favourites")).send().await.expect("sent");
    error(anonymous, StatusCode::UNAUTHORIZED, "sign_in_required").await;
}
