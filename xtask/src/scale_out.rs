//! The scale-out step of `cargo xtask test`: the system with two instances
//! of every service (`replicas.rs`), in its own schema, key prefix and
//! topic, checked from outside with plain HTTP:
//!
//! 1. a session opened on gateway A works on gateway B (sessions live in Redis);
//! 2. the browser tests pass against gateway B, which balances over both
//!    instances of each service;
//! 3. both catalogs asked to scan at once: one scans, the other answers 409;
//! 4. one instance of every service is SIGKILLed (catalog A mid-scan):
//!    the session still works through gateway B, B serves the catalog,
//!    audio and the live figures from the survivors, the survivors are
//!    ready, and catalog B can scan (the dead one's lock went with it).
//!
//! Sockets on both events instances and the counts across a crash are
//! checked in events-service's `tests/api/scale_out.rs`: a WebSocket
//! client is more than xtask's standard library should carry.

use std::{
    sync::{Arc, Barrier},
    thread,
    time::Duration,
};

use crate::{
    Result, deps, http,
    http::Response,
    paths, process,
    system::{Build, SERVICES, System},
    up, web,
};

pub fn run(endpoints: &deps::Endpoints) -> Result {
    let stack = up::start_isolated_replicas(endpoints, Build::AsTested, 2)?;
    let mut a = stack.system;
    let mut b = stack.replicas.into_iter().next().ok_or("no second replica")?;
    eprintln!("xtask: two instances of every service answer /readyz with 200");
    let token = std::fs::read_to_string(paths::state().join("internal-token"))
        .map_err(|e| format!("reading the internal token: {e}"))?;
    let cookie = sign_in(a.ports.gateway, &stack.admin_password)?;
    expect(
        &get(b.ports.gateway, "/api/auth/me", &cookie)?,
        200,
        "a session of gateway A on gateway B",
    )?;
    eprintln!("xtask: a session opened on gateway A works on gateway B");
    if web::exists() {
        web::e2e(
            &format!("http://127.0.0.1:{}", b.ports.gateway),
            &stack.admin_password,
        )?;
    }
    scan_once(&a, &b, token.trim())?;
    eprintln!("xtask: of two catalogs asked to scan at once, one scanned");
    for service in SERVICES {
        a.kill(service)?;
    }
    eprintln!("xtask: killed one instance of every service (SIGKILL)");
    survivors_serve(&b, &cookie, token.trim())?;
    let unclean = b.stop();
    if unclean.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "the surviving services did not stop cleanly: {}",
            unclean.join("; ")
        ))
    }
}

/// Signs in as admin on `gateway`; answers the session cookie (`name=value`).
fn sign_in(gateway: u16, password: &str) -> Result<String> {
    let origin = format!("http://127.0.0.1:{gateway}");
    let body = format!(
        "{{\"username\":\"admin\",\"password\":\"{}\"}}",
        password.replace('\\', "\\\\").replace('"', "\\\"")
    );
    let headers = [("content-type", "application/json"), ("origin", origin.as_str())];
    let response = http::request("POST", gateway, "/api/auth/login", &headers, &body)?;
    expect(&response, 200, "signing in on gateway A")?;
    let cookie = response.header("set-cookie").ok_or("the login set no cookie")?;
    Ok(cookie.split(';').next().unwrap_or_default().to_owned())
}

fn get(port: u16, path: &str, cookie: &str) -> Result<Response> {
    http::request("GET", port, path, &[("cookie", cookie)], "")
}

fn expect(response: &Response, status: u16, what: &str) -> Result {
    if response.status == status {
        Ok(())
    } else {
        Err(format!("{what}: {} {}", response.status, response.body))
    }
}

/// `POST /api/catalog/scans` on both catalogs at the same moment, until a
/// round finds neither busy with an earlier scan: one 202 and one 409.
fn scan_once(a: &System, b: &System, token: &str) -> Result {
    let ports = [a.ports.catalog, b.ports.catalog];
    for _ in 0..20 {
        let barrier = Arc::new(Barrier::new(2));
        let asks: Vec<_> = ports
            .into_iter()
            .map(|port| {
                let (barrier, token) = (Arc::clone(&barrier), token.to_owned());
                thread::spawn(move || {
                    barrier.wait();
                    start_scan(port, &token).map(|response| response.status)
                })
            })
            .collect();
        let mut statuses = Vec::new();
        for ask in asks {
            statuses.push(ask.join().map_err(|_| "a scan request panicked")??);
        }
        statuses.sort_unstable();
        match statuses.as_slice() {
            [202, 409] => return Ok(()),
            [202, 202] => return Err("both catalogs scanned at once".into()),
            // A scan from an earlier round (or from the start) still runs.
            [409, 409] => thread::sleep(Duration::from_millis(500)),
            other => return Err(format!("asking both catalogs to scan: {other:?}")),
        }
    }
    Err("the catalogs stayed busy scanning".into())
}

fn start_scan(catalog: u16, token: &str) -> Result<Response> {
    let headers = [("x-tonearm-role", "admin"), ("x-tonearm-internal-token", token)];
    http::request("POST", catalog, "/api/catalog/scans", &headers, "")
}

/// After the crash: the survivors are ready, and gateway B serves the
/// session, the library, audio and the live figures through them.
fn survivors_serve(b: &System, cookie: &str, token: &str) -> Result {
    for (service, port) in [
        ("catalog", b.ports.catalog),
        ("stream", b.ports.stream),
        ("events", b.ports.events),
        ("stats", b.ports.stats),
    ] {
        let ready = process::wait_for(Duration::from_secs(30), || {
            http::get(port, "/readyz").is_ok_and(|response| response.status == 200)
        });
        if !ready {
            return Err(format!("the surviving {service} instance is not ready"));
        }
    }
    let gateway = b.ports.gateway;
    expect(
        &get(gateway, "/api/auth/me", cookie)?,
        200,
        "the session after the crash",
    )?;
    let songs = get(gateway, "/api/catalog/songs?limit=1", cookie)?;
    expect(&songs, 200, "the library after the crash")?;
    let song = first_id(&songs.body).ok_or("the library is empty")?;
    let headers = [("cookie", cookie), ("range", "bytes=0-99")];
    let audio = http::request("GET", gateway, &format!("/api/stream/songs/{song}"), &headers, "")?;
    if !matches!(audio.status, 200 | 206) {
        return Err(format!("audio after the crash: {} {}", audio.status, audio.body));
    }
    expect(
        &get(gateway, "/api/events/stats", cookie)?,
        200,
        "the live figures after the crash",
    )?;
    let scanned = process::wait_for(Duration::from_secs(30), || {
        start_scan(b.ports.catalog, token).is_ok_and(|response| response.status == 202)
    });
    if !scanned {
        return Err("catalog B cannot scan after catalog A died".into());
    }
    eprintln!("xtask: after the crash gateway B serves the session, library, audio and figures");
    Ok(())
}

/// The first `"id":"..."` of a JSON page.
fn first_id(body: &str) -> Option<&str> {
    let start = body.find("\"id\":\"")? + 6;
    let len = body[start..].find('"')?;
    Some(&body[start..start + len])
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_first_id_of_a_page_is_found() {
        let page = r#"{"items":[{"id":"0f8f","album":{"id":"x"}}]}"#;
        assert_eq!(super::first_id(page), Some("0f8f"));
        assert_eq!(super::first_id("{}"), None);
    }
}
