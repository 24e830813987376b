//! Ids derived from what names a thing outside (a batch item, a provider's call, a phone
//! number), so that every attempt to create it names the same stream and a retry finds the
//! first. They are keyed with the server's secret (HMAC-SHA256), so nobody who knows a phone
//! number can recompute the id of its lead, and an erased lead's id says nothing about it.

use hmac::{Hmac, Mac};
use sha2::Sha256;
use uuid::Uuid;

/// Derives ids under the server's secret.
#[derive(Clone)]
pub struct DerivedIds {
    key: Vec<u8>,
}

impl DerivedIds {
    /// Ids keyed with `secret`.
    pub fn new(secret: &[u8]) -> Self {
        Self {
            key: [b"leadstream derived ids:".as_slice(), secret].concat(),
        }
    }

    /// The id the parts name, the same on every call; each part is length-prefixed, so no two
    /// lists of parts name the same id.
    pub fn of(&self, parts: &[&[u8]]) -> Uuid {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.key).expect("HMAC takes a key of any length");
        for part in parts {
            mac.update(&(part.len() as u64).to_be_bytes());
            mac.update(part);
        }
        let digest = mac.finalize().into_bytes();
        let mut bytes = [0u8; 16];
        bytes.copy_from_slice(&digest[..16]);
        uuid::Builder::from_custom_bytes(bytes).into_uuid()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sha2::Digest;

    #[test]
    fn ids_are_stable_under_one_secret_and_differ_under_another() {
        let ids = DerivedIds::new(b"a secret of the server, 32 bytes");
        let phone: &[&[u8]] = &[b"tenant", b"phone", b"+15550100"];
        assert_eq!(ids.of(phone), ids.of(phone));
        assert_ne!(ids.of(phone), DerivedIds::new(b"another secret").of(phone));
        assert_ne!(ids.of(&[b"ab", b"c"]), ids.of(&[b"a", b"bc"]));
    }

    #[test]
    fn a_phone_number_alone_does_not_give_the_id() {
        let ids = DerivedIds::new(b"a secret of the server, 32 bytes");
        let parts: &[&[u8]] = &[b"tenant", b"phone", b"+15550100"];
        let unkeyed = Sha256::digest(parts.concat());
        assert_ne!(ids.of(parts).as_bytes()[..], unkeyed[..16]);
    }
}
