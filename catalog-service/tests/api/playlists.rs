//! Playlists: create, rename, comment, public or private, add, remove,
//! reorder, delete; only the owner changes one.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::personal::{As, error, library, song_id, values};

async fn ids(app: &crate::helpers::TestApp, titles: &[&str]) -> Vec<String> {
    let mut ids = Vec::new();
    for title in titles {
        ids.push(song_id(app, title).await);
    }
    ids
}

#[tokio::test]
async fn a_playlist_is_created_renamed_commented_reordered_and_deleted_by_its_owner() {
    let app = library().await;
    let ann = As::user(&app, "ann-id");
    let songs = ids(&app, &["One", "Two", "Three"]).await;
    let created = ann
        .expect(
            Method::POST,
            "playlists",
            Some(json!({"name": "  Road trip ", "songs": [songs[0], songs[1], songs[0]]})),
            StatusCode::CREATED,
        )
        .await;
    assert_eq!(created["name"], "Road trip");
    assert_eq!(created["public"], false);
    assert_eq!(created["comment"], Value::Null);
    assert_eq!(created["owner"], json!({"id": "ann-id", "name": null}));
    assert_eq!(created["song_count"], 3);
    assert!(created["duration_ms"].as_i64() > Some(2_000), "{created}");
    // Duplicates are kept, in order.
    assert_eq!(values(&created["songs"], "title"), ["One", "Two", "One"]);
    let id = created["id"].as_str().expect("id").to_owned();
    let path = format!("playlists/{id}");

    let changed = ann
        .expect(
            Method::PATCH,
            &path,
            Some(json!({"name": "Drive", "comment": "for the car"})),
            StatusCode::OK,
        )
        .await;
    assert_eq!(
        (changed["name"].clone(), changed["comment"].clone()),
        (json!("Drive"), json!("for the car"))
    );
    assert_eq!(changed["song_count"], 3);

    let songs_path = format!("{path}/songs");
    let appended = ann
        .expect(
            Method::POST,
            &songs_path,
            Some(json!({"songs": [songs[2]]})),
            StatusCode::OK,
        )
        .await;
    assert_eq!(
        values(&appended["songs"], "title"),
        ["One", "Two", "One", "Three"]
    );
    // Remove the second "One" and move "Three" first: one new order.
    let reordered = ann
        .expect(
            Method::PUT,
            &songs_path,
            Some(json!({"songs": [songs[2], songs[0], songs[1]]})),
            StatusCode::OK,
        )
        .await;
    assert_eq!(values(&reordered["songs"], "title"), ["Three", "One", "Two"]);
    assert_eq!(ann.get(&path).await["song_count"], 3);
    let cleared = ann
        .expect(Method::PATCH, &path, Some(json!({"comment": ""})), StatusCode::OK)
        .await;
    assert_eq!(cleared["comment"], Value::Null);
    assert_eq!(cleared["name"], "Drive");

    ann.expect(Method::DELETE, &path, None, StatusCode::NO_CONTENT)
        .await;
    error(
        ann.send(Method::GET, &path, None).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    assert_eq!(ann.get("playlists").await["items"], json!([]));
}

#[tokio::test]
async fn private_playlists_are_hidden_public_ones_read_only_for_others() {
    let app = library().await;
    let ann = As::user(&app, "ann-id");
    let bob = As::user(&app, "bob-id");
    let one = song_id(&app, "One").await;
    let mut made = Vec::new();
    for (name, public) in [("Zed public", true), ("Alpha private", false)] {
        let body = json!({"name": name, "public": public, "songs": [one]});
        let created = ann
            .expect(Method::POST, "playlists", Some(body), StatusCode::CREATED)
            .await;
        made.push(created["id"].as_str().expect("id").to_owned());
    }
    let (public, private) = (&made[0], &made[1]);
    assert_eq!(
        values(&ann.get("playlists").await["items"], "name"),
        ["Alpha private", "Zed public"]
    );
    assert_eq!(
        values(&bob.get("playlists").await["items"], "name"),
        ["Zed public"]
    );
    assert_eq!(
        values(&bob.get(&format!("playlists/{public}")).await["songs"], "title"),
        ["One"]
    );
    error(
        bob.send(Method::GET, &format!("playlists/{private}"), None).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;

    let refused = [
        (
            Method::PATCH,
            format!("playlists/{public}"),
            Some(json!({"name": "Mine"})),
        ),
        (
            Method::PUT,
            format!("playlists/{public}/songs"),
            Some(json!({"songs": []})),
        ),
        (
            Method::POST,
            format!("playlists/{public}/songs"),
            Some(json!({"songs": [one]})),
        ),
        (Method::DELETE, format!("playlists/{public}"), None),
    ];
    for (method, path, body) in refused {
        error(
            bob.send(method, &path, body).await,
            StatusCode::FORBIDDEN,
            "not_owner",
        )
        .await;
    }
    // Someone else's private playlist is as missing for changes too.
    error(
        bob.send(Method::DELETE, &format!("playlists/{private}"), None)
            .await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    let untouched = ann.get(&format!("playlists/{public}")).await;
    assert_eq!(
        (untouched["name"].clone(), untouched["song_count"].clone()),
        (json!("Zed public"), json!(1))
    );

    ann.expect(
        Method::PATCH,
        &format!("playlists/{public}"),
        Some(json!({"public": false})),
        StatusCode::OK,
    )
    .await;
    assert_eq!(bob.get("playlists").await["items"], json!([]));
}

#[tokio::test]
async fn bad_playlist_input_is_a_json_error_naming_what_was_wrong() {
    let app = library().await;
    let ann = As::user(&app, "ann-id");
    let unknown = uuid::Uuid::new_v4().to_string();
    let cases = [
        (json!({"name": "   "}), "invalid_field", "name"),
        (json!({"name": "x".repeat(201)}), "invalid_field", "name"),
        (
            json!({"name": "ok", "comment": "c".repeat(2001)}),
            "invalid_field",
            "comment",
        ),
        (
            json!({"name": "ok", "songs": [unknown]}),
            "unknown_song",
            unknown.as_str(),
        ),
        (json!({"name": "ok", "songs": ["nope"]}), "invalid_id", "nope"),
        (json!({"songs": []}), "invalid_json", "name"),
        (json!({"name": 5}), "invalid_json", "invalid type"),
    ];
    for (body, code, named) in cases {
        let message = error(
            ann.send(Method::POST, "playlists", Some(body.clone())).await,
            StatusCode::BAD_REQUEST,
            code,
        )
        .await;
        assert!(message.contains(named), "{body}: {message}");
    }
    let not_json = app
        .client
        .post(app.url("playlists"))
        .header("x-tonearm-user", "ann-id")
        .header("content-type", "application/json")
        .body("{name")
        .send()
        .await
        .expect("sent");
    error(not_json, StatusCode::BAD_REQUEST, "invalid_json").await;
    let too_many: Vec<String> = (0..5001).map(|_| unknown.clone()).collect();
    let message = error(
        ann.send(
            Method::POST,
            "playlists",
            Some(json!({"name": "big", "songs": too_many})),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "invalid_field",
    )
    .await;
    assert!(message.contains("songs"), "{message}");
    assert_eq!(ann.get("playlists").await["items"], json!([]));
    error(
        ann.send(Method::GET, "playlists/42", None).await,
        StatusCode::BAD_REQUEST,
        "invalid_id",
    )
    .await;
    let anonymous = app.client.get(app.url("playlists")).send().await.expect("sent");
    error(anonymous, StatusCode::UNAUTHORIZED, "sign_in_required").await;
}
