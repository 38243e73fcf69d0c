//! The event spool lives in the service's own private directory and never
//! follows a link planted there.

use std::os::unix::fs::PermissionsExt as _;

use events_service::Application;

use crate::helpers::{isolated_settings, spawn_app_with};

#[tokio::test]
async fn the_spool_directory_is_created_private() {
    let (settings, mut events) = isolated_settings();
    events.spool_dir = events.spool_dir.join("nested");
    let dir = events.spool_dir.clone();
    let app = spawn_app_with(settings, events).await;
    let mode = std::fs::metadata(&dir).expect("spool dir").permissions().mode() & 0o777;
    assert_eq!(mode, 0o700);
    app.stop().await;
}

/// Another local account plants the spool file as a link to a file the
/// service's user can write: the service refuses to start rather than
/// appending events to (or truncating) that file.
#[tokio::test]
async fn a_link_planted_at_the_spool_file_is_not_followed() {
    let (settings, events) = isolated_settings();
    std::fs::create_dir_all(&events.spool_dir).expect("spool dir");
    let victim = events.spool_dir.with_extension("victim");
    std::fs::write(&victim, b"precious").expect("victim");
    std::os::unix::fs::symlink(&victim, events.spool_dir.join("events.spool")).expect("link");
    let error = Application::build_with(settings, events.clone())
        .await
        .err()
        .expect("the service refuses to start");
    assert!(format!("{error:#}").contains("symbolic link"), "{error:#}");
    assert_eq!(std::fs::read(&victim).expect("victim"), b"precious");
    let _ = std::fs::remove_dir_all(&events.spool_dir);
    let _ = std::fs::remove_file(victim);
}
