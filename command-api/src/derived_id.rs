//! Ids derived from what names a thing outside (a batch item, a provider's call, a phone
//! number), so that every attempt to create it names the same stream and a retry finds the first.

use sha2::{Digest, Sha256};
use uuid::Uuid;

/// The id the parts name, the same on every call. Parts are hashed one after the other, so
/// only the last may vary in length.
pub fn derived_id(parts: &[&[u8]]) -> Uuid {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(part);
    }
    let digest = hasher.finalize();
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid::Builder::from_custom_bytes(bytes).into_uuid()
}
