//! The names of the settings a service reads, taken from its raw settings
//! structs themselves (the keys of their serialized defaults), so the list
//! cannot drift from the code. `--check-config` refuses any other
//! `TONEARM_*` variable: a typo in a deploy file must not be silently
//! ignored while the service runs on a default.

use std::collections::BTreeSet;

use serde::Serialize;

use super::{ENV_PREFIX, RawSettings, SettingsError, env_name};

/// A set of setting names (`database_url`, written `TONEARM_DATABASE_URL`
/// in the environment).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KnownSettings {
    names: BTreeSet<String>,
}

impl KnownSettings {
    /// The names every service reads: the shared settings and
    /// `TONEARM_CONFIG`, the path of the optional TOML file.
    pub fn shared() -> Self {
        let mut known = Self::of::<RawSettings>();
        known.names.insert("config".into());
        known
    }

    /// The field names of the raw settings struct `T`.
    pub fn of<T: Serialize + Default>() -> Self {
        let names = match serde_json::to_value(T::default()) {
            Ok(serde_json::Value::Object(fields)) => fields.into_iter().map(|(name, _)| name).collect(),
            // A raw settings struct always serializes to an object; anything
            // else names no setting.
            _ => BTreeSet::new(),
        };
        Self { names }
    }

    /// These names and those of the raw settings struct `T`.
    pub fn and<T: Serialize + Default>(self) -> Self {
        self.union(Self::of::<T>())
    }

    /// The names of both sets.
    pub fn union(mut self, other: Self) -> Self {
        self.names.extend(other.names);
        self
    }

    /// Whether `name` (lower case, without the prefix) is a known setting.
    pub fn contains(&self, name: &str) -> bool {
        self.names.contains(name)
    }

    /// The environment variable names of the known settings, sorted.
    pub fn variables(&self) -> Vec<String> {
        self.names.iter().map(|name| env_name(name)).collect()
    }

    /// The `TONEARM_*` variables among `variables` that name no known
    /// setting, sorted.
    pub fn unknown<I, S>(&self, variables: I) -> Vec<String>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut unknown: Vec<String> = variables
            .into_iter()
            .filter_map(|variable| {
                let variable = variable.as_ref();
                let name = variable.strip_prefix(ENV_PREFIX)?;
                (!self.contains(&name.to_ascii_lowercase())).then(|| variable.to_owned())
            })
            .collect();
        unknown.sort();
        unknown.dedup();
        unknown
    }

    /// Refuses the first unknown `TONEARM_*` variable among `variables`,
    /// naming it and the closest known setting when one is near.
    pub fn refuse_unknown<I, S>(&self, variables: I) -> Result<(), SettingsError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        match self.unknown(variables).into_iter().next() {
            None => Ok(()),
            Some(variable) => Err(SettingsError {
                reason: self.unknown_reason(&variable),
                name: variable,
            }),
        }
    }

    fn unknown_reason(&self, variable: &str) -> String {
        let wanted = variable.trim_start_matches(ENV_PREFIX).to_ascii_lowercase();
        let closest = self
            .names
            .iter()
            .map(|name| (edit_distance(name, &wanted), name))
            .filter(|(distance, _)| *distance <= 2)
            .min();
        match closest {
            Some((_, name)) => format!(
                "unknown setting, not read by this service (did you mean {}?)",
                env_name(name)
            ),
            None => "unknown setting, not read by this service (remove it or fix its name)".into(),
        }
    }
}

/// Levenshtein distance, for "did you mean": names are short.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitute = previous[j] + usize::from(ca != *cb);
            current.push(substitute.min(previous[j + 1] + 1).min(current[j] + 1));
        }
        previous = current;
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize, Default)]
    struct RawExtra {
        transcode_max: u32,
    }

    #[test]
    fn the_shared_names_come_from_the_raw_struct() {
        let known = KnownSettings::shared();
        assert!(known.contains("catalog_port"));
        assert!(known.contains("internal_token"));
        assert!(known.contains("config"));
        assert!(!known.contains("transcode_max"));
        assert!(
            KnownSettings::shared()
                .and::<RawExtra>()
                .contains("transcode_max")
        );
    }

    #[test]
    fn a_mistyped_variable_is_refused_by_name_with_the_setting_it_resembles() {
        let known = KnownSettings::shared();
        let error = known
            .refuse_unknown(["PATH", "TONEARM_CATALOG_PORT", "TONEARM_CATALOG_PROT"])
            .expect_err("a typo is refused");
        assert_eq!(error.name, "TONEARM_CATALOG_PROT");
        assert!(
            error.reason.contains("did you mean TONEARM_CATALOG_PORT?"),
            "{error}"
        );
    }

    #[test]
    fn a_setting_of_another_service_is_unknown_here() {
        let known = KnownSettings::shared();
        assert_eq!(
            known.unknown(["TONEARM_TRANSCODE_MAX", "TONEARM_LOG", "HOME"]),
            ["TONEARM_TRANSCODE_MAX"]
        );
        assert!(known.refuse_unknown(["TONEARM_LOG", "TONEARM_CONFIG"]).is_ok());
    }

    #[test]
    fn edit_distance_counts_edits() {
        assert_eq!(edit_distance("catalog_port", "catalog_prot"), 2);
        assert_eq!(edit_distance("log", "log"), 0);
        assert_eq!(edit_distance("", "abc"), 3);
    }
}
