//! The `admin` account that `up` prints the password of. The gateway
//! creates it once per database, from `TONEARM_ADMIN_PASSWORD`; when the
//! database already had one (another checkout, a deleted `.tonearm/`), the
//! printed password does not match, and `--reset-admin` lets the gateway
//! create it anew.

use std::process::Command;

use crate::{Result, http, process, tools};

/// Deletes the `admin` account (the gateway recreates it at start when no
/// admin is left).
pub fn forget(database_url: &str) -> Result {
    let psql = tools::debian_program("psql", "postgresql-client", "resetting the admin account")?;
    let schema = std::env::var("TONEARM_DATABASE_SCHEMA").unwrap_or_else(|_| "public".into());
    let table = format!("\"{}\".gateway_users", schema.replace('"', ""));
    let exists = process::output(
        "looking for the accounts table",
        Command::new(&psql).args([
            database_url,
            "-tAc",
            &format!("SELECT to_regclass('{table}') IS NOT NULL"),
        ]),
    )?;
    if exists.trim() == "t" {
        process::run(
            "deleting the admin account",
            Command::new(&psql).args([
                database_url,
                "-qc",
                &format!("DELETE FROM {table} WHERE username = 'admin'"),
            ]),
        )?;
        eprintln!("xtask: deleted the admin account; the gateway creates it anew");
    }
    Ok(())
}

/// Whether the gateway accepts `admin` with `password`.
pub fn password_works(gateway_port: u16, password: &str) -> bool {
    let origin = format!("http://127.0.0.1:{gateway_port}");
    let body = format!(
        "{{\"username\":\"admin\",\"password\":\"{}\"}}",
        password.replace('\\', "\\\\").replace('"', "\\\"")
    );
    let headers = [("content-type", "application/json"), ("origin", origin.as_str())];
    http::request("POST", gateway_port, "/api/auth/login", &headers, &body)
        .is_ok_and(|response| response.status < 300)
}
