//! A call's parameters: the query string and, for a form POST, the body
//! (OpenSubsonic `formPost`), in that order.

use actix_web::{HttpRequest, web};

use super::envelope::SubsonicError;

/// Every `name=value` of the call, repeated names kept.
#[derive(Debug, Default)]
pub struct Params(Vec<(String, String)>);

impl Params {
    /// Reads the query string and, when the body is a form, the body.
    pub fn read(req: &HttpRequest, body: &[u8]) -> Self {
        let mut pairs = parse(req.query_string());
        let form = req
            .headers()
            .get(actix_web::http::header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .is_some_and(|value| value.starts_with("application/x-www-form-urlencoded"));
        if form && let Ok(text) = std::str::from_utf8(body) {
            pairs.extend(parse(text));
        }
        Self(pairs)
    }

    /// The first value of `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(found, _)| found == name)
            .map(|(_, value)| value.as_str())
    }

    /// Every value of `name`, in order (repeated parameters such as
    /// `scrobble`'s `id`).
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(found, _)| found == name)
            .map(|(_, value)| value.as_str())
            .collect()
    }

    /// The first value of `name`, or error 10.
    pub fn required(&self, name: &str) -> Result<&str, SubsonicError> {
        self.get(name).ok_or_else(|| SubsonicError::missing(name))
    }

    /// The parameter `name` as a Tonearm id (a UUID): error 10 when
    /// missing, 70 when it is not an id (so no text reaches an upstream path).
    pub fn id(&self, name: &str) -> Result<uuid::Uuid, SubsonicError> {
        uuid::Uuid::parse_str(self.required(name)?.trim()).map_err(|_| SubsonicError::not_found("item"))
    }

    /// A whole number, `default` when absent or unreadable.
    pub fn number(&self, name: &str, default: i64) -> i64 {
        self.get(name)
            .and_then(|value| value.trim().parse().ok())
            .unwrap_or(default)
    }

    /// A count parameter clamped to `0..=max`.
    pub fn count(&self, name: &str, default: i64, max: i64) -> usize {
        usize::try_from(self.number(name, default).clamp(0, max)).unwrap_or(0)
    }
}

fn parse(text: &str) -> Vec<(String, String)> {
    web::Query::<Vec<(String, String)>>::from_query(text)
        .map(web::Query::into_inner)
        .unwrap_or_default()
}
