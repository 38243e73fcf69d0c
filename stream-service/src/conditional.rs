//! Conditional requests (RFC 9110 §13): `If-None-Match`,
//! `If-Modified-Since` and `If-Range`, using actix-web's typed headers.

use std::time::{SystemTime, UNIX_EPOCH};

use actix_web::{
    HttpRequest,
    http::header::{EntityTag, Header, IfModifiedSince, IfNoneMatch, IfRange},
};

/// The validators of one representation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Validators {
    pub etag: Option<EntityTag>,
    pub modified: Option<SystemTime>,
}

/// The conditional headers of a request; malformed ones count as absent.
#[derive(Debug, Clone, Default)]
pub struct Conditions {
    pub if_none_match: Option<IfNoneMatch>,
    pub if_modified_since: Option<SystemTime>,
    pub if_range: Option<IfRange>,
}

impl Conditions {
    pub fn from_request(req: &HttpRequest) -> Self {
        Self {
            if_none_match: IfNoneMatch::parse(req)
                .ok()
                .filter(|_| req.headers().contains_key("if-none-match")),
            if_modified_since: IfModifiedSince::parse(req).ok().map(|header| header.0.into()),
            if_range: IfRange::parse(req).ok(),
        }
    }

    /// `true` when the client's copy is current (answer 304). When
    /// `If-None-Match` is present `If-Modified-Since` is ignored.
    pub fn not_modified(&self, current: &Validators) -> bool {
        if let Some(if_none_match) = &self.if_none_match {
            return match if_none_match {
                IfNoneMatch::Any => true,
                IfNoneMatch::Items(tags) => current
                    .etag
                    .as_ref()
                    .is_some_and(|etag| tags.iter().any(|tag| tag.weak_eq(etag))),
            };
        }
        match (self.if_modified_since, current.modified) {
            (Some(since), Some(modified)) => seconds(modified) <= seconds(since),
            _ => false,
        }
    }

    /// `true` when a `Range` may be honoured: no `If-Range`, or one naming
    /// the current representation (strong ETag match or the exact date).
    pub fn range_applies(&self, current: &Validators) -> bool {
        match &self.if_range {
            None => true,
            Some(IfRange::EntityTag(tag)) => current.etag.as_ref().is_some_and(|etag| tag.strong_eq(etag)),
            Some(IfRange::Date(date)) => current
                .modified
                .is_some_and(|modified| seconds(modified) == seconds((*date).into())),
        }
    }
}

/// HTTP dates have whole seconds.
fn seconds(time: SystemTime) -> u64 {
    time.duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn current() -> Validators {
        Validators {
            etag: Some(EntityTag::new_strong("abc".into())),
            modified: Some(UNIX_EPOCH + Duration::from_millis(1_700_000_000_500)),
        }
    }

    #[test]
    fn a_matching_etag_is_not_modified_even_if_weak() {
        let conditions = Conditions {
            if_none_match: Some(IfNoneMatch::Items(vec![EntityTag::new_weak("abc".into())])),
            ..Conditions::default()
        };
        assert!(conditions.not_modified(&current()));
    }

    #[test]
    fn a_date_at_or_after_the_modification_second_is_not_modified() {
        let at = |secs| Conditions {
            if_modified_since: Some(UNIX_EPOCH + Duration::from_secs(secs)),
            ..Conditions::default()
        };
        assert!(at(1_700_000_000).not_modified(&current()));
        assert!(!at(1_699_999_999).not_modified(&current()));
    }

    #[test]
    fn if_range_needs_a_strong_match() {
        let with = |tag| Conditions {
            if_range: Some(IfRange::EntityTag(tag)),
            ..Conditions::default()
        };
        assert!(with(EntityTag::new_strong("abc".into())).range_applies(&current()));
        assert!(!with(EntityTag::new_weak("abc".into())).range_applies(&current()));
        assert!(!with(EntityTag::new_strong("old".into())).range_applies(&current()));
    }
}
