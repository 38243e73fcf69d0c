//! What earlier test runs left in the shared PostgreSQL and Redis: every
//! test works in its own schema (`test_*`, `e2e_*`) and key prefix
//! (`test:*`, `e2e:*`), which nobody drops after a run. Cleared before a
//! test run so they do not pile up on a machine that runs CI often.
//! (So two `cargo xtask test` runs must not share one database at once.)

use std::process::Command;

use crate::{Result, deps::Endpoints, process, tools};

pub fn leftovers(endpoints: &Endpoints) -> Result {
    let schemas = drop_schemas(&endpoints.database_url)?;
    let keys = delete_keys(&endpoints.redis_url)?;
    if schemas + keys > 0 {
        eprintln!("xtask: removed {schemas} schemas and {keys} Redis keys left by earlier test runs");
    }
    Ok(())
}

fn drop_schemas(database_url: &str) -> Result<usize> {
    let psql = tools::debian_program("psql", "postgresql-client", "cleaning up after earlier tests")?;
    let listed = process::output(
        "listing test schemas",
        Command::new(&psql).args([
            database_url,
            "-tAc",
            "SELECT nspname FROM pg_namespace WHERE nspname ~ '^(test|e2e)_[0-9a-z_]+$'",
        ]),
    )?;
    let schemas: Vec<&str> = listed
        .lines()
        .map(str::trim)
        .filter(|name| !name.is_empty())
        .collect();
    // One transaction per schema: dropping hundreds at once would exceed
    // PostgreSQL's lock table.
    for batch in schemas.chunks(25) {
        let mut command = Command::new(&psql);
        command.args([database_url, "-q"]);
        for schema in batch {
            command
                .arg("-c")
                .arg(format!("DROP SCHEMA IF EXISTS \"{schema}\" CASCADE"));
        }
        process::output("dropping test schemas", &mut command)?;
    }
    Ok(schemas.len())
}

fn delete_keys(redis_url: &str) -> Result<usize> {
    let Some(cli) = tools::find("redis-cli") else {
        return Ok(0);
    };
    let mut deleted = 0;
    for pattern in ["test:*", "e2e:*"] {
        let listed = process::output(
            "listing test keys",
            Command::new(&cli).args(["-u", redis_url, "--scan", "--pattern", pattern]),
        )?;
        let keys: Vec<&str> = listed.lines().filter(|key| !key.is_empty()).collect();
        for batch in keys.chunks(500) {
            process::output(
                "deleting test keys",
                Command::new(&cli).args(["-u", redis_url, "unlink"]).args(batch),
            )?;
        }
        deleted += keys.len();
    }
    Ok(deleted)
}
