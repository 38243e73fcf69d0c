//! Who a personal item (favourites, playlists, the play queue) belongs to,
//! and why what a listener sent about one was refused.

use std::fmt;

/// Longest user id accepted from the gateway, in characters.
const MAX_USER_ID_CHARS: usize = 200;

/// The id of a signed-in user, as the gateway names them (`x-tonearm-user`).
/// The catalog does not own accounts: it keeps the id as given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserId(String);

impl UserId {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<&str> for UserId {
    type Error = FieldError;

    fn try_from(text: &str) -> Result<Self, FieldError> {
        let text = text.trim();
        if text.is_empty() || text.chars().count() > MAX_USER_ID_CHARS {
            return Err(FieldError::new(
                "user",
                "expected a user id of 1 to 200 characters",
            ));
        }
        Ok(Self(text.to_owned()))
    }
}

impl fmt::Display for UserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A field of a request body that does not hold what it should.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("field `{field}` is invalid: {expected}")]
pub struct FieldError {
    pub field: &'static str,
    pub expected: String,
}

impl FieldError {
    pub fn new(field: &'static str, expected: impl Into<String>) -> Self {
        Self {
            field,
            expected: expected.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_user_id_is_trimmed_and_bounded() {
        assert_eq!(UserId::try_from(" u1 ").map(|id| id.0), Ok("u1".to_owned()));
        assert!(UserId::try_from("  ").is_err());
        assert!(UserId::try_from("x".repeat(201).as_str()).is_err());
    }
}
