//! The one cursor codec of every listing: a cursor is any serialisable
//! position, sent to clients as URL-safe base64 of its JSON, opaque to them.

use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
use serde::{Serialize, de::DeserializeOwned};
use uuid::Uuid;

/// Encodes a position as an opaque cursor.
pub fn encode<T: Serialize>(position: &T) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(position).unwrap_or_default())
}

/// Decodes a cursor made by [`encode`]; `None` for anything else.
pub fn decode<T: DeserializeOwned>(text: &str) -> Option<T> {
    let bytes = URL_SAFE_NO_PAD.decode(text.trim()).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// Where a page of albums or artists ended: the folded name of its last
/// item and its id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct NameKey(pub String, pub Uuid);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_decodes_to_what_was_encoded_and_garbage_to_none() {
        let key = NameKey("abba".into(), Uuid::nil());
        assert_eq!(decode::<NameKey>(&encode(&key)), Some(key));
        assert_eq!(decode::<NameKey>("not a cursor"), None);
    }
}
