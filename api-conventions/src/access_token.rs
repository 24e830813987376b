//! Signed access tokens (JWT, HS256) for users who logged in.

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use leadstream_domain::identity::Role;
use serde::{Deserialize, Serialize};
use std::time::Duration;
use uuid::Uuid;

const ISSUER: &str = "leadstream";

/// What a token says about its bearer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccessClaims {
    /// The user.
    pub sub: Uuid,
    /// The user's tenant.
    pub tid: Uuid,
    /// The role when the token was issued (the current role is read again on every request).
    pub role: Role,
    /// The user's token version: a password reset bumps it and retires older tokens.
    pub ver: i32,
    pub iat: u64,
    pub exp: u64,
    pub iss: String,
}

/// A token handed to a client, and how many seconds it lives.
#[derive(Debug, Clone)]
pub struct IssuedToken {
    pub token: String,
    pub expires_in: u64,
}

/// Why a token was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenRejection {
    Expired,
    Invalid,
}

/// Issues and checks access tokens with one shared secret.
#[derive(Clone)]
pub struct AccessTokens {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    ttl: Duration,
}

impl AccessTokens {
    /// Tokens signed with `secret`, valid for `ttl`.
    pub fn new(secret: &[u8], ttl: Duration) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_required_spec_claims(&["exp", "iss", "sub"]);
        // Expiry is exact: a token is good until `exp`, not a minute longer.
        validation.leeway = 0;
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            ttl,
        }
    }

    /// A token for `user` of `tenant`, issued at `now` (seconds since the epoch).
    pub fn issue(&self, user: Uuid, tenant: Uuid, role: Role, version: i32, now: u64) -> IssuedToken {
        let claims = AccessClaims {
            sub: user,
            tid: tenant,
            role,
            ver: version,
            iat: now,
            exp: now + self.ttl.as_secs(),
            iss: ISSUER.to_string(),
        };
        let token = jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            // HS256 over plain claims cannot fail to encode.
            .unwrap_or_default();
        IssuedToken {
            token,
            expires_in: self.ttl.as_secs(),
        }
    }

    /// The claims of a well-signed, unexpired token.
    pub fn verify(&self, token: &str) -> Result<AccessClaims, TokenRejection> {
        jsonwebtoken::decode::<AccessClaims>(token, &self.decoding, &self.validation)
            .map(|data| data.claims)
            .map_err(|error| match error.kind() {
                jsonwebtoken::errors::ErrorKind::ExpiredSignature => TokenRejection::Expired,
                _ => TokenRejection::Invalid,
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(secret: &[u8]) -> AccessTokens {
        AccessTokens::new(secret, Duration::from_secs(60))
    }

    fn now() -> u64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs()
    }

    #[test]
    fn a_token_verifies_with_its_secret_only() {
        let (user, tenant) = (Uuid::now_v7(), Uuid::now_v7());
        let issued = tokens(b"one secret").issue(user, tenant, Role::Agent, 3, now());
        let claims = tokens(b"one secret").verify(&issued.token).unwrap();
        assert_eq!(
            (claims.sub, claims.tid, claims.role, claims.ver),
            (user, tenant, Role::Agent, 3)
        );
        assert_eq!(issued.expires_in, 60);
        assert_eq!(
            tokens(b"another secret").verify(&issued.token),
            Err(TokenRejection::Invalid)
        );
        assert_eq!(
            tokens(b"one secret").verify("not.a.token"),
            Err(TokenRejection::Invalid)
        );
    }

    #[test]
    fn an_old_token_is_expired() {
        let issued = tokens(b"s").issue(Uuid::now_v7(), Uuid::now_v7(), Role::Admin, 0, now() - 61);
        assert_eq!(tokens(b"s").verify(&issued.token), Err(TokenRejection::Expired));
    }
}
