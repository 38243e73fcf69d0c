//! The options every service binary answers besides running:
//!
//! - `--healthcheck` asks the running service's own `/readyz` and exits 0
//!   when it answers 200, 1 otherwise: a container `HEALTHCHECK` that needs
//!   no curl in the image.
//! - `--check-config` validates the settings (shared and the service's own)
//!   and refuses any `TONEARM_*` variable, or key of the file named by
//!   `TONEARM_CONFIG`, that the service does not read; it exits 0, or 2
//!   with one line naming the setting.

use std::{
    io::{Read, Write},
    net::{TcpStream, ToSocketAddrs},
    process::ExitCode,
    time::Duration,
};

use figment::{
    Provider,
    providers::{Format, Toml},
};

use crate::{
    Settings,
    listen::refuse_open_bind_without_token,
    settings::{KnownSettings, SettingsError, env_name},
};

/// Validates a service's own settings and names every setting it reads
/// beyond the shared ones; each service's `settings` module has one.
pub type ServiceCheck = fn(&Settings) -> Result<KnownSettings, SettingsError>;

/// For a binary with no settings of its own.
pub fn no_own_settings(_: &Settings) -> Result<KnownSettings, SettingsError> {
    Ok(KnownSettings::default())
}

/// What the binary was asked to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    /// Run the service (no option given).
    Run,
    /// `--healthcheck`.
    Healthcheck,
    /// `--check-config`.
    CheckConfig,
}

impl Command {
    /// Reads the options among `args` (the program name left out). Words
    /// that are not options are subcommands, the binary's own business.
    pub fn from_args<I: IntoIterator<Item = String>>(args: I) -> Result<Self, String> {
        let mut command = Self::Run;
        for arg in args {
            command = match arg.as_str() {
                "--healthcheck" => Self::Healthcheck,
                "--check-config" => Self::CheckConfig,
                option if option.starts_with('-') => {
                    return Err(format!(
                        "unknown option {option:?}; expected --healthcheck or --check-config"
                    ));
                }
                _ => continue,
            };
        }
        Ok(command)
    }
}

/// The address a service's HTTP API binds, by its binary name.
fn own_address<'a>(service: &str, settings: &'a Settings) -> Option<(&'a str, u16)> {
    let (hosts, ports) = (&settings.hosts, &settings.ports);
    match service {
        "gateway" => Some((&hosts.gateway, ports.gateway)),
        "catalog-service" => Some((&hosts.catalog, ports.catalog)),
        "stream-service" => Some((&hosts.stream, ports.stream)),
        "events-service" => Some((&hosts.events, ports.events)),
        "stats-consumer" => Some((&hosts.stats, ports.stats)),
        _ => None,
    }
}

/// Every check of `--check-config` over the given environment variable
/// names; the first failure, as the one line to print.
pub fn check_config<I, S>(
    service: &str,
    settings: &Settings,
    check: ServiceCheck,
    variables: I,
) -> Result<(), String>
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let known = check(settings)
        .map_err(|error| error.to_string())?
        .union(KnownSettings::shared());
    known
        .refuse_unknown(variables)
        .map_err(|error| error.to_string())?;
    if let Some(path) = std::env::var_os("TONEARM_CONFIG") {
        refuse_unknown_file_keys(&known, &path).map_err(|error| error.to_string())?;
    }
    if let Some((host, _)) = own_address(service, settings) {
        refuse_open_bind_without_token(settings, host).map_err(|error| format!("{error:#}"))?;
    }
    Ok(())
}

/// The `TONEARM_*` variables of this process that the service does not
/// read (logged as warnings at start; `--check-config` refuses them), once
/// its own settings are valid.
pub fn unknown_variables(settings: &Settings, check: ServiceCheck) -> Result<Vec<String>, SettingsError> {
    let known = check(settings)?.union(KnownSettings::shared());
    Ok(known.unknown(variable_names()))
}

fn variable_names() -> impl Iterator<Item = String> {
    std::env::vars_os().filter_map(|(name, _)| name.into_string().ok())
}

/// Answers `--healthcheck` and `--check-config` with the exit code to
/// return; `None` when the service is to run.
pub fn answer(command: Command, service: &str, settings: &Settings, check: ServiceCheck) -> Option<ExitCode> {
    let outcome = match command {
        Command::Run => return None,
        Command::Healthcheck => {
            healthcheck(service, settings).map_err(|error| (1, format!("not ready: {error}")))
        }
        Command::CheckConfig => check_config(service, settings, check, variable_names())
            .map(|()| println!("{service}: settings are valid"))
            .map_err(|error| (2, error)),
    };
    Some(match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err((code, error)) => {
            eprintln!("{service}: {error}");
            ExitCode::from(code)
        }
    })
}

fn refuse_unknown_file_keys(known: &KnownSettings, path: &std::ffi::OsStr) -> Result<(), SettingsError> {
    let data = Toml::file(path)
        .data()
        .map_err(|error| SettingsError::new("config", format!("the file cannot be read: {error}")))?;
    for key in data.values().flat_map(|dict| dict.keys()) {
        if !known.contains(key) {
            return Err(SettingsError {
                name: env_name(key),
                reason: format!(
                    "unknown setting `{key}` in the file named by TONEARM_CONFIG, not read by this service"
                ),
            });
        }
    }
    Ok(())
}

/// `--healthcheck`: `GET /readyz` on the service's own port, over plain
/// TCP so that the image needs no HTTP client; `Ok` on a 200 answer.
pub fn healthcheck(service: &str, settings: &Settings) -> Result<(), String> {
    let (host, port) =
        own_address(service, settings).ok_or_else(|| format!("{service} serves no HTTP port to check"))?;
    let host = probe_host(host);
    let address = (host, port)
        .to_socket_addrs()
        .map_err(|error| format!("resolving {host}:{port}: {error}"))?
        .next()
        .ok_or_else(|| format!("{host} resolves to no address"))?;
    // Readiness waits up to its own timeout for each dependency.
    let timeout = settings.readiness_timeout + Duration::from_secs(2);
    let mut stream = TcpStream::connect_timeout(&address, Duration::from_secs(2))
        .map_err(|error| format!("connecting to {address}: {error}"))?;
    let io = |error: std::io::Error| format!("asking {address}/readyz: {error}");
    stream.set_read_timeout(Some(timeout)).map_err(io)?;
    stream.set_write_timeout(Some(timeout)).map_err(io)?;
    write!(
        stream,
        "GET /readyz HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )
    .map_err(io)?;
    let mut head = Vec::new();
    stream.take(64 * 1024).read_to_end(&mut head).map_err(io)?;
    let status_line = String::from_utf8_lossy(&head)
        .lines()
        .next()
        .unwrap_or_default()
        .to_owned();
    match status_line.split_whitespace().nth(1) {
        Some("200") => Ok(()),
        _ => Err(format!("{address}/readyz answered {status_line:?}")),
    }
}

/// A service bound to every address (`0.0.0.0`, `::`) is asked on loopback.
fn probe_host(host: &str) -> &str {
    match host.trim_start_matches('[').trim_end_matches(']') {
        "0.0.0.0" | "" => "127.0.0.1",
        "::" => "::1",
        bare => bare,
    }
}

#[cfg(test)]
mod tests;
