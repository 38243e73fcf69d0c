//! The one place Subsonic answers are written: the `subsonic-response`
//! envelope, its error codes, and the three encodings (XML by default,
//! `f=json`, `f=jsonp&callback=`). Handlers build a JSON value; the XML
//! form follows the usual mapping: scalars are attributes, objects child
//! elements, arrays repeated elements, and a `value` key the element's text.

use actix_web::HttpResponse;
use serde_json::{Map, Value};

/// The Subsonic API version Tonearm speaks.
pub const API_VERSION: &str = "1.16.1";
/// The server's name in every answer (`type`).
pub const SERVER_TYPE: &str = "tonearm";
const XMLNS: &str = "http://subsonic.org/restapi";

/// How the client asked to be answered (`f`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Format {
    Xml,
    Json,
    /// JSON wrapped in a call of this (checked) function name.
    Jsonp(String),
}

impl Format {
    /// `f` and `callback` as sent; an unusable callback name falls back to
    /// plain JSON, so nothing the client sends is echoed as script.
    pub fn from_params(f: Option<&str>, callback: Option<&str>) -> Self {
        match f {
            Some("json") => Self::Json,
            Some("jsonp") => match callback.filter(|name| safe_callback(name)) {
                Some(name) => Self::Jsonp(name.to_owned()),
                None => Self::Json,
            },
            _ => Self::Xml,
        }
    }
}

fn safe_callback(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'$' | b'.'))
        && !name.as_bytes()[0].is_ascii_digit()
}

/// The documented Subsonic error codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Code {
    Generic = 0,
    MissingParameter = 10,
    WrongCredentials = 40,
    TokenNotSupported = 41,
    MechanismNotSupported = 42,
    ConflictingMechanisms = 43,
    InvalidApiKey = 44,
    NotAuthorized = 50,
    NotFound = 70,
}

/// A failed call: answered with `status="failed"` and an `error` element.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct SubsonicError {
    pub code: Code,
    pub message: String,
}

impl SubsonicError {
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }

    /// Error 10 naming the missing parameter.
    pub fn missing(name: &str) -> Self {
        Self::new(
            Code::MissingParameter,
            format!("required parameter is missing: {name}"),
        )
    }

    /// Error 70.
    pub fn not_found(what: &str) -> Self {
        Self::new(Code::NotFound, format!("{what} not found"))
    }

    /// Error 0, for failures whose cause stays in the logs.
    pub fn generic(message: impl Into<String>) -> Self {
        Self::new(Code::Generic, message)
    }
}

/// A successful answer carrying `payload`'s members (e.g. `{"artists":…}`).
pub fn ok(format: &Format, payload: Map<String, Value>) -> HttpResponse {
    respond(format, "ok", payload)
}

/// A failed answer. Subsonic clients expect HTTP 200 with the error inside.
pub fn failed(format: &Format, error: &SubsonicError) -> HttpResponse {
    let mut payload = Map::new();
    payload.insert(
        "error".into(),
        serde_json::json!({ "code": error.code as u16, "message": error.message }),
    );
    respond(format, "failed", payload)
}

fn respond(format: &Format, status: &str, payload: Map<String, Value>) -> HttpResponse {
    let (content_type, text) = written(format, enveloped(status, payload));
    HttpResponse::Ok().content_type(content_type).body(text)
}

/// A successful answer as its content type and text, for answers kept
/// ready-written (see `browse::artists`).
pub fn ok_written(format: &Format, payload: Map<String, Value>) -> (&'static str, String) {
    written(format, enveloped("ok", payload))
}

/// The members of `subsonic-response`: status, versions, then `payload`.
fn enveloped(status: &str, payload: Map<String, Value>) -> Map<String, Value> {
    let mut body = Map::new();
    body.insert("status".into(), status.into());
    body.insert("version".into(), API_VERSION.into());
    body.insert("type".into(), SERVER_TYPE.into());
    body.insert("serverVersion".into(), env!("CARGO_PKG_VERSION").into());
    body.insert("openSubsonic".into(), true.into());
    body.extend(payload);
    body
}

fn written(format: &Format, body: Map<String, Value>) -> (&'static str, String) {
    match format {
        Format::Xml => {
            let mut out = String::from(r#"<?xml version="1.0" encoding="UTF-8"?>"#);
            write_element(&mut out, "subsonic-response", &Value::Object(body), Some(XMLNS));
            ("application/xml; charset=utf-8", out)
        }
        Format::Json => ("application/json", wrapped(body).to_string()),
        Format::Jsonp(callback) => (
            "application/javascript; charset=utf-8",
            format!("{callback}({});", wrapped(body)),
        ),
    }
}

fn wrapped(body: Map<String, Value>) -> Value {
    let mut outer = Map::new();
    outer.insert("subsonic-response".into(), Value::Object(body));
    Value::Object(outer)
}

/// Writes `value` as the element `name`.
fn write_element(out: &mut String, name: &str, value: &Value, xmlns: Option<&str>) {
    out.push('<');
    out.push_str(name);
    if let Some(xmlns) = xmlns {
        out.push_str(&format!(r#" xmlns="{xmlns}""#));
    }
    let Value::Object(members) = value else {
        // An array of scalars: each one an element with text.
        out.push('>');
        escape_into(out, &scalar_text(value));
        out.push_str(&format!("</{name}>"));
        return;
    };
    for (key, member) in members {
        if key != "value" && is_scalar(member) {
            out.push_str(&format!(" {key}=\""));
            escape_into(out, &scalar_text(member));
            out.push('"');
        }
    }
    out.push('>');
    if let Some(text) = members.get("value").filter(|text| is_scalar(text)) {
        escape_into(out, &scalar_text(text));
    }
    for (key, member) in members {
        match member {
            Value::Object(_) => write_element(out, key, member, None),
            Value::Array(items) => items.iter().for_each(|item| write_element(out, key, item, None)),
            _ => {}
        }
    }
    out.push_str(&format!("</{name}>"));
}

fn is_scalar(value: &Value) -> bool {
    matches!(value, Value::String(_) | Value::Number(_) | Value::Bool(_))
}

fn scalar_text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// XML-escapes `text`; characters XML 1.0 cannot carry are dropped.
fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn xml_of(value: Value) -> String {
        let mut out = String::new();
        write_element(&mut out, "r", &value, None);
        out
    }

    #[test]
    fn scalars_are_attributes_objects_children_arrays_repeated() {
        let xml = xml_of(serde_json::json!({
            "a": 1, "b": "x<\"y\"", "c": {"d": true}, "e": [{"f": 2}, {"f": 3}], "g": null
        }));
        assert_eq!(
            xml,
            r#"<r a="1" b="x&lt;&quot;y&quot;"><c d="true"></c><e f="2"></e><e f="3"></e></r>"#
        );
    }

    #[test]
    fn value_is_the_elements_text() {
        let xml = xml_of(serde_json::json!({"genre": [{"songCount": 2, "value": "Rock & Roll"}]}));
        assert_eq!(xml, r#"<r><genre songCount="2">Rock &amp; Roll</genre></r>"#);
    }

    #[test]
    fn a_script_as_jsonp_callback_is_not_echoed() {
        assert_eq!(
            Format::from_params(Some("jsonp"), Some("alert(1);x")),
            Format::Json
        );
        assert_eq!(
            Format::from_params(Some("jsonp"), Some("cb_1")),
            Format::Jsonp("cb_1".into())
        );
    }
}
