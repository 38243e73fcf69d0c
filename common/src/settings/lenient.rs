//! Numbers and booleans from the environment arrive as strings; these
//! deserializers accept either form. Services use them for their own
//! numeric settings: `#[serde(deserialize_with = "common::settings::lenient::parse")]`.

use std::{fmt::Display, str::FromStr};

use serde::{Deserialize, Deserializer, de::Error as _};

#[derive(Deserialize)]
#[serde(untagged)]
enum ValueOrText<T> {
    Value(T),
    Text(String),
}

/// A `T` written as itself (TOML) or as text (environment).
pub fn parse<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + FromStr,
    T::Err: Display,
{
    match ValueOrText::<T>::deserialize(deserializer)? {
        ValueOrText::Value(value) => Ok(value),
        ValueOrText::Text(text) => text.trim().parse().map_err(|error| {
            D::Error::custom(format!(
                "expected a {}, got {text:?}: {error}",
                short_type_name::<T>()
            ))
        }),
    }
}

fn short_type_name<T>() -> &'static str {
    match std::any::type_name::<T>() {
        "bool" => "boolean (true or false)",
        "u16" => "port number (0 to 65535)",
        _ => "number",
    }
}
