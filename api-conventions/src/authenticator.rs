//! Turns the credentials on a request into a principal, or into the reason it cannot.

use actix_web::http::header::{HeaderMap, AUTHORIZATION};
use leadstream_domain::identity::Role;
use leadstream_domain::values::TenantId;
use sqlx::PgPool;
use uuid::Uuid;

use crate::access_token::{AccessTokens, TokenRejection};
use crate::api_key::{hash_secret, is_api_key};
use crate::principal::{Credential, Principal};
use crate::ApiError;

/// Checks access tokens and API keys against the identity tables. Both are re-checked on every
/// request, so a deactivated user, a demoted role or a revoked key takes effect at once.
#[derive(Clone)]
pub struct Authenticator {
    pool: PgPool,
    tokens: AccessTokens,
}

impl Authenticator {
    /// An authenticator over the identity tables in `pool`, trusting tokens signed by `tokens`.
    pub fn new(pool: PgPool, tokens: AccessTokens) -> Self {
        Self { pool, tokens }
    }

    /// The token issuer, for login.
    pub fn tokens(&self) -> &AccessTokens {
        &self.tokens
    }

    /// The principal the request's credentials prove.
    pub async fn authenticate(&self, headers: &HeaderMap) -> Result<Principal, ApiError> {
        match presented_credential(headers)? {
            Presented::Bearer(credential) if is_api_key(&credential) => self.api_key(&credential).await,
            Presented::Bearer(token) => self.access_token(&token).await,
            Presented::ApiKey(key) => self.api_key(&key).await,
        }
    }

    async fn access_token(&self, token: &str) -> Result<Principal, ApiError> {
        let claims = self.tokens.verify(token).map_err(|rejection| match rejection {
            TokenRejection::Expired => ApiError::bad_credentials("TOKEN_EXPIRED", "the access token has expired"),
            TokenRejection::Invalid => invalid_token(),
        })?;
        let user: Option<(String, bool, i32)> =
            sqlx::query_as("SELECT role, is_active, token_version FROM users WHERE id = $1 AND tenant_id = $2")
                .bind(claims.sub)
                .bind(claims.tid)
                .fetch_optional(&self.pool)
                .await
                .map_err(ApiError::internal)?;
        match user {
            Some((role, true, version)) if version == claims.ver => Ok(Principal {
                tenant_id: TenantId(claims.tid),
                role: stored_role(&role)?,
                user_id: claims.sub,
                credential: Credential::User,
                actor: format!("user:{}", claims.sub),
            }),
            _ => Err(ApiError::bad_credentials(
                "INVALID_TOKEN",
                "the access token is no longer valid; log in again",
            )),
        }
    }

    async fn api_key(&self, key: &str) -> Result<Principal, ApiError> {
        let found: Option<(Uuid, Uuid, Uuid, String, String)> = sqlx::query_as(
            "SELECT k.id, k.tenant_id, k.user_id, k.role, u.role
               FROM api_keys k JOIN users u ON u.id = k.user_id
              WHERE k.key_hash = $1 AND k.revoked_at IS NULL AND u.is_active",
        )
        .bind(hash_secret(key))
        .fetch_optional(&self.pool)
        .await
        .map_err(ApiError::internal)?;
        let Some((key_id, tenant_id, user_id, key_role, owner_role)) = found else {
            return Err(ApiError::bad_credentials(
                "INVALID_API_KEY",
                "the API key is unknown or revoked",
            ));
        };
        Ok(Principal {
            tenant_id: TenantId(tenant_id),
            // A key never outranks the person who made it, even after that person is demoted.
            role: stored_role(&key_role)?.min(stored_role(&owner_role)?),
            user_id,
            credential: Credential::ApiKey(key_id),
            actor: format!("api_key:{key_id}"),
        })
    }
}

enum Presented {
    Bearer(String),
    ApiKey(String),
}

fn presented_credential(headers: &HeaderMap) -> Result<Presented, ApiError> {
    if let Some(value) = headers.get(AUTHORIZATION) {
        let value = value.to_str().map_err(|_| invalid_token())?;
        let (scheme, credential) = value.trim().split_once(' ').ok_or_else(invalid_token)?;
        let credential = credential.trim();
        if !scheme.eq_ignore_ascii_case("bearer") || credential.is_empty() {
            return Err(ApiError::bad_credentials(
                "INVALID_TOKEN",
                "the Authorization header must be 'Bearer <token or API key>'",
            ));
        }
        return Ok(Presented::Bearer(credential.to_string()));
    }
    match headers.get("x-api-key").map(|v| v.to_str().map(str::trim)) {
        Some(Ok(key)) if !key.is_empty() => Ok(Presented::ApiKey(key.to_string())),
        Some(_) => Err(ApiError::bad_credentials(
            "INVALID_API_KEY",
            "the API key is unknown or revoked",
        )),
        None => Err(ApiError::unauthorized(
            "authentication required: send 'Authorization: Bearer <token>' or 'X-API-Key: <key>'",
        )),
    }
}

fn invalid_token() -> ApiError {
    ApiError::bad_credentials("INVALID_TOKEN", "the access token is malformed or wrongly signed")
}

fn stored_role(role: &str) -> Result<Role, ApiError> {
    Role::parse(role).map_err(|e| ApiError::internal(format!("stored role: {}", e.message)))
}
