//! API keys: random secrets shown once, stored only as SHA-256 hashes.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// Every key starts so, which tells keys from access tokens at a glance.
const KEY_MARK: &str = "lsk_";
/// How much of a key is kept in clear to help people tell their keys apart.
const PREFIX_LEN: usize = 12;

/// A freshly made key: the secret (shown once), its display prefix and the hash to store.
pub struct NewApiKey {
    pub key: String,
    pub prefix: String,
    pub hash: Vec<u8>,
}

impl NewApiKey {
    /// A new key with 256 bits from the operating system's generator.
    pub fn generate() -> Self {
        let key = format!("{KEY_MARK}{}", random_token());
        Self {
            prefix: key[..PREFIX_LEN].to_string(),
            hash: hash_secret(&key),
            key,
        }
    }
}

/// Whether a bearer credential is an API key rather than an access token.
pub fn is_api_key(credential: &str) -> bool {
    credential.starts_with(KEY_MARK)
}

/// The stored form of a high-entropy secret (API key, reset token). A fast hash is enough: the
/// secret is random, not chosen by a person, so there is nothing to guess.
pub fn hash_secret(secret: &str) -> Vec<u8> {
    Sha256::digest(secret.as_bytes()).to_vec()
}

/// A random URL-safe token of 256 bits (password resets).
pub fn random_token() -> String {
    let mut secret = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut secret);
    URL_SAFE_NO_PAD.encode(secret)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_marked_unique_and_stored_as_their_hash() {
        let (a, b) = (NewApiKey::generate(), NewApiKey::generate());
        assert!(is_api_key(&a.key) && a.key.starts_with(&a.prefix));
        assert_ne!(a.key, b.key);
        assert_eq!(a.hash, hash_secret(&a.key));
        assert_ne!(a.hash, hash_secret(&b.key));
        assert!(!is_api_key("eyJhbGciOiJIUzI1NiJ9.e30.x"));
    }
}
