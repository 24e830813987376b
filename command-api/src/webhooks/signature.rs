use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The hex HMAC-SHA256 of `body` under `secret`: what a provider sends in its signature header.
pub fn sign(secret: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(body);
    hex(&mac.finalize().into_bytes())
}

/// Whether `header` (hex, optionally `sha256=`-prefixed) is `body`'s HMAC-SHA256 under `secret`.
/// The comparison takes the same time wherever the first difference lies.
pub fn verify(secret: &str, body: &[u8], header: &str) -> bool {
    let header = header.trim();
    let hex_digest = header.strip_prefix("sha256=").unwrap_or(header);
    let Some(expected) = unhex(hex_digest) else {
        return false;
    };
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
        return false;
    };
    mac.update(body);
    mac.verify_slice(&expected).is_ok()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) || !text.is_ascii() {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_verifies_only_its_body_and_secret() {
        let body = br#"{"type":"ContactCreate"}"#;
        let signature = sign("s3cret-of-the-tenant", body);
        assert_eq!(signature.len(), 64);
        assert!(verify("s3cret-of-the-tenant", body, &signature));
        assert!(verify("s3cret-of-the-tenant", body, &format!("sha256={signature}")));
        assert!(!verify("another-secret", body, &signature));
        assert!(!verify(
            "s3cret-of-the-tenant",
            br#"{"type":"ContactDelete"}"#,
            &signature
        ));
        assert!(!verify("s3cret-of-the-tenant", body, "not hex"));
        assert!(!verify("s3cret-of-the-tenant", body, &signature[..62]));
    }
}
