//! Where settings come from: the defaults of the raw struct, the TOML file
//! named by `TONEARM_CONFIG`, then the `TONEARM_*` environment.

use std::{collections::BTreeMap, path::PathBuf};

use figment::{
    Figment,
    providers::{Format, Serialized, Toml},
};
use serde::{Serialize, de::DeserializeOwned};

use super::{ENV_PREFIX, SettingsError, env_name};

/// The configuration sources in order of precedence (later wins): the
/// defaults of `T`, the TOML file named by `TONEARM_CONFIG`, the environment.
pub fn layers<T: Serialize + Default>() -> Result<Figment, SettingsError> {
    let mut figment = Figment::from(Serialized::defaults(T::default()));
    if let Some(path) = std::env::var_os("TONEARM_CONFIG") {
        let path = PathBuf::from(path);
        if !path.is_file() {
            return Err(SettingsError::new(
                "config",
                format!(
                    "expected the path of a TOML file, {} is not a file",
                    path.display()
                ),
            ));
        }
        figment = figment.merge(Toml::file(path));
    }
    Ok(figment.merge(environment()))
}

/// `TONEARM_*` variables as string values. Figment's own `Env` provider
/// guesses types (`1234` becomes a number), which breaks string settings
/// such as passwords and prefixes; numeric settings accept strings instead.
fn environment() -> Serialized<BTreeMap<String, String>> {
    let values = std::env::vars()
        .filter_map(|(name, value)| {
            let key = name.strip_prefix(ENV_PREFIX)?.to_ascii_lowercase();
            (key != "config").then_some((key, value))
        })
        .collect();
    Serialized::from(values, figment::Profile::Default)
}

/// Extracts `T` from the layers, mapping any failure onto the setting's name.
pub fn extract<T: Serialize + DeserializeOwned + Default>() -> Result<T, SettingsError> {
    layers::<T>()?.extract::<T>().map_err(describe)
}

fn describe(error: figment::Error) -> SettingsError {
    let key = error.path.join("_");
    let origin = if std::env::var_os(env_name(&key)).is_some() {
        " (from the environment)"
    } else {
        " (from the file named by TONEARM_CONFIG)"
    };
    SettingsError {
        name: if key.is_empty() {
            "TONEARM_CONFIG".into()
        } else {
            env_name(&key)
        },
        reason: format!("{}{origin}", error.kind),
    }
}
