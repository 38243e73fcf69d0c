//! The cryptography of Subsonic credentials: API keys (random, stored as
//! their SHA-256), app passwords sealed with `TONEARM_SECRET_KEY`
//! (AES-256-GCM, bound to their user id), and the token check
//! `t = md5(secret + s)` in constant time.

use aes_gcm::{
    Aes256Gcm, Key, Nonce,
    aead::{Aead as _, KeyInit as _, Payload},
};
use md5::{Digest as _, Md5};
use sha2::Sha256;
use subtle::ConstantTimeEq as _;
use uuid::Uuid;

/// Seals and opens app passwords.
#[derive(Clone)]
pub struct SecretBox {
    cipher: Aes256Gcm,
}

impl SecretBox {
    /// The box for `secret_key`; `None` when no key is configured (token
    /// authentication is then not offered).
    pub fn new(secret_key: &str) -> Option<Self> {
        if secret_key.is_empty() {
            return None;
        }
        let key = Sha256::digest(secret_key.as_bytes());
        Some(Self {
            cipher: Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(&key)),
        })
    }

    /// Encrypts `plain` for `user`: `(nonce, ciphertext)`.
    pub fn seal(&self, user: Uuid, plain: &str) -> anyhow::Result<(Vec<u8>, Vec<u8>)> {
        let nonce = random_bytes::<12>()?;
        let sealed = self
            .cipher
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: plain.as_bytes(),
                    aad: user.as_bytes(),
                },
            )
            .map_err(|_| anyhow::anyhow!("sealing an app password"))?;
        Ok((nonce.to_vec(), sealed))
    }

    /// Decrypts what [`Self::seal`] made for the same `user`; `None` when it
    /// does not open (another key, another user's row, tampering).
    pub fn open(&self, user: Uuid, nonce: &[u8], sealed: &[u8]) -> Option<String> {
        if nonce.len() != 12 {
            return None;
        }
        let plain = self
            .cipher
            .decrypt(
                Nonce::from_slice(nonce),
                Payload {
                    msg: sealed,
                    aad: user.as_bytes(),
                },
            )
            .ok()?;
        String::from_utf8(plain).ok()
    }
}

/// True when `token` is md5(`secret` + `salt`) in hex (case ignored).
pub fn token_matches(secret: &str, salt: &str, token: &str) -> bool {
    let expected = hex(&Md5::digest(format!("{secret}{salt}").as_bytes()));
    let given = token.to_ascii_lowercase();
    expected.as_bytes().ct_eq(given.as_bytes()).into()
}

/// The stored form of an API key.
pub fn key_hash(key: &str) -> Vec<u8> {
    Sha256::digest(key.as_bytes()).to_vec()
}

/// A new API key: 32 random bytes as 64 hex digits.
pub fn new_api_key() -> anyhow::Result<String> {
    Ok(hex(&random_bytes::<32>()?))
}

/// `p=enc:<hex>` decoded; `None` when it is not hex of UTF-8.
pub fn decode_password(value: &str) -> Option<String> {
    let Some(encoded) = value.strip_prefix("enc:") else {
        return Some(value.to_owned());
    };
    if encoded.len() % 2 != 0 {
        return None;
    }
    let bytes = (0..encoded.len())
        .step_by(2)
        .map(|at| u8::from_str_radix(encoded.get(at..at + 2)?, 16).ok())
        .collect::<Option<Vec<u8>>>()?;
    String::from_utf8(bytes).ok()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

fn random_bytes<const N: usize>() -> anyhow::Result<[u8; N]> {
    let mut bytes = [0_u8; N];
    getrandom::fill(&mut bytes).map_err(|error| anyhow::anyhow!("reading random bytes: {error}"))?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_token_example_matches() {
        // From the Subsonic API documentation.
        assert!(token_matches(
            "sesame",
            "c19b2d",
            "26719a1196d2a940705a59634eb18eab"
        ));
        assert!(!token_matches(
            "sesame",
            "c19b2e",
            "26719a1196d2a940705a59634eb18eab"
        ));
    }

    #[test]
    fn an_app_password_sealed_for_one_user_does_not_open_for_another() {
        let secrets = SecretBox::new("a server key of some length").expect("box");
        let (alice, bob) = (Uuid::new_v4(), Uuid::new_v4());
        let (nonce, sealed) = secrets.seal(alice, "app-secret").expect("sealed");
        assert_eq!(
            secrets.open(alice, &nonce, &sealed).as_deref(),
            Some("app-secret")
        );
        assert_eq!(secrets.open(bob, &nonce, &sealed), None);
        let other = SecretBox::new("another server key").expect("box");
        assert_eq!(other.open(alice, &nonce, &sealed), None);
    }

    #[test]
    fn enc_passwords_are_hex_decoded() {
        assert_eq!(decode_password("enc:736573616d65").as_deref(), Some("sesame"));
        assert_eq!(decode_password("plain").as_deref(), Some("plain"));
        assert_eq!(decode_password("enc:7"), None);
    }
}
