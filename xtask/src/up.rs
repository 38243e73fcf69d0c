//! `cargo xtask up`: the whole system on localhost.

use std::{
    path::PathBuf,
    time::{Duration, Instant},
};

use crate::{
    Result, demo, demo_server, deps,
    deps::Endpoints,
    paths, process, replicas,
    supervise::supervise,
    system::{self, Build, Ports, System, SystemConfig},
    web,
};

struct Options {
    music: Vec<PathBuf>,
    release: bool,
    reset_admin: bool,
    replicas: usize,
    /// Stop everything when a service dies, instead of restarting it.
    stop_on_crash: bool,
}

const UP_USAGE: &str = "usage: cargo xtask up [--music DIR] [--release] [--reset-admin] [--replicas N] \
                        [--restart | --stop-on-crash]";

fn parse(args: &[String]) -> Result<Options> {
    let mut options = Options {
        music: Vec::new(),
        release: false,
        reset_admin: false,
        replicas: 1,
        stop_on_crash: false,
    };
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--music" => {
                let dir = args.next().ok_or("--music needs a folder")?;
                let dir = std::fs::canonicalize(dir).map_err(|e| format!("--music {dir}: {e}"))?;
                if !dir.is_dir() {
                    return Err(format!("--music {}: not a folder", dir.display()));
                }
                options.music.push(dir);
            }
            "--release" => options.release = true,
            "--reset-admin" => options.reset_admin = true,
            "--replicas" => options.replicas = replicas::parse_count(args.next())?,
            "--restart" => options.stop_on_crash = false,
            "--stop-on-crash" => options.stop_on_crash = true,
            other => return Err(format!("unknown option {other}; {UP_USAGE}")),
        }
    }
    Ok(options)
}

/// A system started for people (`up`) or for the browser tests (`test`).
pub struct Stack {
    pub system: System,
    /// The instances beyond the first with `--replicas` (see `replicas.rs`).
    pub replicas: Vec<System>,
    pub admin_password: String,
}

/// Where a stack runs and which data it sees.
pub struct StackOptions {
    pub ports: Ports,
    pub music: Vec<PathBuf>,
    pub build: Build,
    /// Schema, Redis prefix and topic suffix; `None` for the real ones.
    pub isolation: Option<String>,
    pub log_dir: PathBuf,
    /// Port of the demo Internet sources' server (0: any free port).
    pub demo_port: u16,
    /// Instances of each service (1: one of each).
    pub replicas: usize,
}

/// Builds and starts the services against provisioned dependencies, with
/// the demo library and its Internet sources when no music was given.
pub fn start_stack(endpoints: &Endpoints, options: StackOptions) -> Result<Stack> {
    let (music, demo_port) = if options.music.is_empty() {
        let demo = demo::ensure()?;
        (
            vec![demo.music],
            Some(demo_server::start(demo.web, options.demo_port)?),
        )
    } else {
        (options.music, None)
    };
    if let Err(error) = web::build_if_stale() {
        // The API still serves; the gateway answers with a page saying the UI is missing.
        eprintln!("xtask: warning: the web UI could not be built: {error}");
    }
    system::build(options.build)?;
    let admin_password = admin_password()?;
    let internal_token = secret("internal-token")?;
    let mut extra_env = vec![
        ("TONEARM_ADMIN_PASSWORD".to_owned(), admin_password.clone()),
        ("TONEARM_INTERNAL_TOKEN".to_owned(), internal_token.clone()),
    ];
    if let Some(port) = demo_port {
        extra_env.push((
            "TONEARM_FETCH_ALLOW_HOSTS".to_owned(),
            format!("127.0.0.1:{port}"),
        ));
    }
    if let Some(tag) = &options.isolation {
        // The browser tests wait for an open socket to learn that its session ended.
        extra_env.push(("TONEARM_SOCKET_SESSION_CHECK_SECS".to_owned(), "2".to_owned()));
        // A consumer group of its own, as the topic: a group that members
        // of earlier systems left behind on the same broker (killed ones
        // included) can keep a new member waiting for an assignment on a
        // broker that does not evict them (tansu).
        extra_env.push((
            "TONEARM_STATS_GROUP".to_owned(),
            format!("tonearm-stats-e2e-{tag}"),
        ));
    }
    let (schema, prefix, topic) = match &options.isolation {
        Some(tag) => (
            format!("e2e_{tag}"),
            format!("e2e:{tag}:"),
            format!("tonearm.player-events.e2e-{tag}"),
        ),
        None => (
            "public".into(),
            "tonearm:".into(),
            "tonearm.player-events.v1".into(),
        ),
    };
    let config = SystemConfig {
        endpoints: endpoints.clone(),
        ports: options.ports,
        database_schema: schema,
        redis_prefix: prefix,
        events_topic: topic,
        music_dirs: music,
        log_dir: options.log_dir,
        build: options.build,
        extra_env,
    };
    let mut systems = replicas::start(&config, options.replicas)?;
    for system in &mut systems {
        system.wait_ready(Duration::from_secs(180))?;
    }
    let system = systems.remove(0);
    if let Some(port) = demo_port {
        crate::demo_sources::register(system.ports.catalog, port, &internal_token)?;
    }
    Ok(Stack {
        system,
        replicas: systems,
        admin_password,
    })
}

/// A stack on free ports in its own schema, Redis prefix and topic, with
/// the demo library: for the browser tests and the web benchmark, so they
/// never touch the data of a running `up`.
pub fn start_isolated_stack(endpoints: &Endpoints, build: Build) -> Result<Stack> {
    start_isolated_replicas(endpoints, build, 1)
}

/// As [`start_isolated_stack`], with `replicas` instances of each service.
pub fn start_isolated_replicas(endpoints: &Endpoints, build: Build, replicas: usize) -> Result<Stack> {
    let tag = system::random_hex()?[..12].to_owned();
    start_stack(
        endpoints,
        StackOptions {
            ports: Ports::free()?,
            music: Vec::new(),
            build,
            isolation: Some(tag.clone()),
            log_dir: paths::state().join("e2e-logs").join(&tag),
            demo_port: 0,
            replicas,
        },
    )
}

/// `TONEARM_ADMIN_PASSWORD`, or the one generated on the first `up` and kept
/// in `.tonearm/admin-password`.
fn admin_password() -> Result<String> {
    if let Ok(password) = std::env::var("TONEARM_ADMIN_PASSWORD") {
        return Ok(password);
    }
    secret("admin-password")
}

/// A random value kept under `.tonearm/` (readable by the owner only).
fn secret(name: &str) -> Result<String> {
    use std::os::unix::fs::PermissionsExt as _;
    let path = paths::state().join(name);
    if let Ok(value) = std::fs::read_to_string(&path) {
        return Ok(value.trim().to_owned());
    }
    let value = system::random_hex()?;
    std::fs::create_dir_all(paths::state()).map_err(|e| e.to_string())?;
    std::fs::write(&path, &value).map_err(|e| format!("writing {}: {e}", path.display()))?;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).map_err(|e| e.to_string())?;
    Ok(value)
}

/// Where `up` serves the demo Internet sources; fixed, so the sources the
/// catalog remembers stay valid across runs.
const DEMO_PORT: u16 = 8089;

pub fn run(args: &[String]) -> Result {
    let options = parse(args)?;
    let interrupted = process::interrupted();
    let started = Instant::now();
    let mut deps = deps::provision()?;
    if options.reset_admin {
        crate::admin::forget(&deps.endpoints.database_url)?;
    }
    let build = if options.release {
        Build::Release
    } else {
        Build::Debug
    };
    // A broker can take connections and still fail every fetch; check a
    // produce-then-fetch round trip (through the stats consumer's probe)
    // before starting services on it.
    system::build(build)?;
    deps.ensure_round_trip(&system::binary(build, "stats-consumer"))?;
    let stack = start_stack(
        &deps.endpoints,
        StackOptions {
            ports: Ports::DEFAULT,
            music: options.music,
            build,
            isolation: None,
            log_dir: paths::logs(),
            demo_port: DEMO_PORT,
            replicas: options.replicas,
        },
    )?;
    let mut system = stack.system;
    let mut others = stack.replicas;
    if !crate::admin::password_works(system.ports.gateway, &stack.admin_password) {
        eprintln!(
            "xtask: warning: this database already had an admin account whose password is not the one \
             below (kept in .tonearm/admin-password); `cargo xtask up --reset-admin` creates it anew"
        );
    }
    println!(
        "\nTonearm is up in {:.0} s: http://127.0.0.1:{}/\n  sign in as admin with password {}\n  logs: {}\n  {}\n  Ctrl-C stops everything.\n",
        started.elapsed().as_secs_f64(),
        system.ports.gateway,
        stack.admin_password,
        paths::logs().display(),
        if options.stop_on_crash {
            "a service that dies stops everything (--stop-on-crash)"
        } else {
            "a service that dies is restarted, with a growing delay"
        }
    );
    for other in &others {
        println!("  another gateway: http://127.0.0.1:{}/", other.ports.gateway);
    }
    let mut all: Vec<&mut System> = std::iter::once(&mut system).chain(others.iter_mut()).collect();
    supervise(&mut all, !options.stop_on_crash, &interrupted);
    eprintln!("xtask: stopping");
    let mut unclean: Vec<String> = others.iter_mut().flat_map(System::stop).collect();
    unclean.extend(system.stop());
    for unclean in unclean {
        eprintln!("xtask: warning: {unclean}");
    }
    drop(deps);
    Ok(())
}
