//! Playlists through `/rest` against the real catalog: created, edited,
//! shared with another account and deleted.

use crate::{
    helpers::spawn_app,
    rest::{error_code, names, ok},
    subsonic_library::{ids, song},
};

#[tokio::test]
async fn playlists_are_created_edited_shared_and_deleted() {
    let app = spawn_app().await;
    let (songs, _, _) = ids(&app).await;
    let (one, two, beta) = (
        song(&songs, "Alpha One"),
        song(&songs, "Alpha Two"),
        song(&songs, "Beta Song"),
    );
    let created = app
        .json(
            "createPlaylist",
            &[("name", "Mix"), ("songId", one), ("songId", two), ("songId", one)],
        )
        .await;
    let playlist = &ok(&created)["playlist"];
    assert_eq!(playlist["owner"], "admin");
    assert_eq!(playlist["songCount"], 3);
    assert_eq!(playlist["public"], false);
    assert!(playlist["duration"].as_i64() >= Some(5), "{playlist}");
    assert_eq!(
        names(&playlist["entry"], "title"),
        ["Alpha One", "Alpha Two", "Alpha One"]
    );
    assert_eq!(playlist["coverArt"], one);
    let id = playlist["id"].as_str().expect("id").to_owned();

    let updated = app
        .json(
            "updatePlaylist",
            &[
                ("playlistId", id.as_str()),
                ("name", "Road mix"),
                ("comment", "for the car"),
                ("public", "true"),
                ("songIndexToRemove", "0"),
                ("songIndexToRemove", "2"),
                ("songIdToAdd", beta),
            ],
        )
        .await;
    ok(&updated);
    let read = app.json("getPlaylist", &[("id", id.as_str())]).await;
    let playlist = &ok(&read)["playlist"];
    assert_eq!(playlist["name"], "Road mix");
    assert_eq!(playlist["comment"], "for the car");
    assert_eq!(playlist["public"], true);
    assert_eq!(names(&playlist["entry"], "title"), ["Alpha Two", "Beta Song"]);
    ok(&app
        .json(
            "updatePlaylist",
            &[("playlistId", id.as_str()), ("songIdToAdd", one)],
        )
        .await);
    // `createPlaylist` with a `playlistId` replaces the songs.
    let replaced = app
        .json("createPlaylist", &[("playlistId", id.as_str()), ("songId", beta)])
        .await;
    assert_eq!(names(&ok(&replaced)["playlist"]["entry"], "title"), ["Beta Song"]);

    // Another user reads the public playlist, with its owner's name, and
    // may not change it.
    app.create_listener("listener").await;
    let as_other = |method: &'static str, params: Vec<(&'static str, String)>| {
        let app = &app;
        async move {
            let params: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, v.as_str())).collect();
            app.json_as("listener", "listener-password", method, &params)
                .await
        }
    };
    let theirs = as_other("getPlaylists", vec![]).await;
    let listed = &ok(&theirs)["playlists"]["playlist"];
    assert_eq!(names(listed, "name"), ["Road mix"]);
    assert_eq!(listed[0]["owner"], "admin");
    let refused = as_other(
        "updatePlaylist",
        vec![("playlistId", id.clone()), ("name", "Mine".into())],
    )
    .await;
    assert_eq!(*error_code(&refused), 50);
    assert_eq!(
        *error_code(&as_other("deletePlaylist", vec![("id", id.clone())]).await),
        50
    );

    ok(&app
        .json(
            "updatePlaylist",
            &[("playlistId", id.as_str()), ("public", "false")],
        )
        .await);
    let hidden = as_other("getPlaylist", vec![("id", id.clone())]).await;
    assert_eq!(*error_code(&hidden), 70);
    assert!(
        names(
            &ok(&as_other("getPlaylists", vec![]).await)["playlists"]["playlist"],
            "name"
        )
        .is_empty()
    );

    ok(&app.json("deletePlaylist", &[("id", id.as_str())]).await);
    assert_eq!(
        *error_code(&app.json("getPlaylist", &[("id", id.as_str())]).await),
        70
    );
    assert_eq!(
        *error_code(&app.json("createPlaylist", &[("songId", one)]).await),
        10
    );
    let unknown = uuid::Uuid::new_v4().to_string();
    let bad_song = app
        .json("createPlaylist", &[("name", "x"), ("songId", unknown.as_str())])
        .await;
    assert_eq!(*error_code(&bad_song), 70);
    let too_long = "n".repeat(201);
    assert_eq!(
        *error_code(&app.json("createPlaylist", &[("name", too_long.as_str())]).await),
        0
    );
}
