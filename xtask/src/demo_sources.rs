//! Registers the demo Internet sources (a podcast feed and a direct audio
//! URL served by [`crate::demo_server`]) with the catalog.

use crate::{Result, http};

pub fn register(catalog_port: u16, demo_port: u16, internal_token: &str) -> Result {
    let headers = [
        ("content-type", "application/json"),
        ("x-tonearm-role", "admin"),
        ("x-tonearm-internal-token", internal_token),
    ];
    let existing = http::request("GET", catalog_port, "/api/catalog/sources", &headers, "")
        .map(|response| response.body)
        .unwrap_or_default();
    for path in ["podcast.xml", "jingle.mp3"] {
        let url = format!("http://127.0.0.1:{demo_port}/{path}");
        if existing.contains(&url) {
            continue;
        }
        let body = format!("{{\"url\":\"{url}\"}}");
        match http::request("POST", catalog_port, "/api/catalog/sources", &headers, &body) {
            Ok(response) if response.status < 300 => {}
            Ok(response) => eprintln!(
                "xtask: the catalog refused demo source {url}: {} {}",
                response.status, response.body
            ),
            Err(error) => eprintln!("xtask: could not add demo source {url}: {error}"),
        }
    }
    Ok(())
}
