//! Password hashing (argon2id with the crate's recommended parameters) and
//! generated passwords. Hashing is slow on purpose, so it runs on the
//! blocking pool, never on the async workers.

use std::sync::OnceLock;

use anyhow::Context as _;
use argon2::{Argon2, PasswordHash, PasswordHasher as _, PasswordVerifier as _, password_hash::SaltString};

/// Hashes `password` into a PHC string (`$argon2id$v=19$...`).
pub async fn hash(password: String) -> anyhow::Result<String> {
    tokio::task::spawn_blocking(move || hash_now(&password))
        .await
        .context("joining the hashing task")?
}

fn hash_now(password: &str) -> anyhow::Result<String> {
    let mut salt = [0_u8; 16];
    getrandom::fill(&mut salt).map_err(|error| anyhow::anyhow!("reading random bytes: {error}"))?;
    let salt = SaltString::encode_b64(&salt).map_err(|error| anyhow::anyhow!("encoding a salt: {error}"))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|error| anyhow::anyhow!("hashing a password: {error}"))
}

/// True when `password` matches `hash`. With no hash (an unknown or
/// disabled account) a dummy hash is still checked, so the answer takes
/// as long and reveals nothing.
pub async fn verify(password: String, hash: Option<String>) -> anyhow::Result<bool> {
    tokio::task::spawn_blocking(move || {
        let known = hash.is_some();
        let hash = match hash {
            Some(hash) => hash,
            None => dummy_hash()?.to_owned(),
        };
        let parsed = PasswordHash::new(&hash).map_err(|error| anyhow::anyhow!("stored hash: {error}"))?;
        let matches = Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok();
        Ok(known && matches)
    })
    .await
    .context("joining the verification task")?
}

fn dummy_hash() -> anyhow::Result<&'static str> {
    static DUMMY: OnceLock<String> = OnceLock::new();
    if let Some(hash) = DUMMY.get() {
        return Ok(hash);
    }
    let hash = hash_now("not a password anyone has")?;
    Ok(DUMMY.get_or_init(|| hash))
}

/// A random password of 20 letters and digits (about 119 bits).
pub fn generate() -> anyhow::Result<String> {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    let mut bytes = [0_u8; 20];
    getrandom::fill(&mut bytes).map_err(|error| anyhow::anyhow!("reading random bytes: {error}"))?;
    // 256 is not a multiple of the alphabet size; the slight bias is
    // irrelevant at this length.
    Ok(bytes
        .iter()
        .map(|byte| char::from(ALPHABET[usize::from(*byte) % ALPHABET.len()]))
        .collect())
}

/// A random session id: 32 bytes as 64 hex digits.
pub fn session_id() -> anyhow::Result<String> {
    let mut bytes = [0_u8; 32];
    getrandom::fill(&mut bytes).map_err(|error| anyhow::anyhow!("reading random bytes: {error}"))?;
    Ok(bytes.iter().map(|byte| format!("{byte:02x}")).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_only_its_password() {
        let hash = hash("correct horse".into()).await.expect("hashes");
        assert!(hash.starts_with("$argon2id$"));
        assert!(
            verify("correct horse".into(), Some(hash.clone()))
                .await
                .expect("verifies")
        );
        assert!(!verify("wrong horse".into(), Some(hash)).await.expect("verifies"));
        assert!(!verify("anything".into(), None).await.expect("verifies"));
    }

    #[test]
    fn generated_secrets_differ() {
        assert_ne!(generate().expect("one"), generate().expect("two"));
        assert_eq!(session_id().expect("id").len(), 64);
    }
}
