//! API keys: made by a principal, acting as it with at most its role.

use actix_web::{web, HttpResponse};
use leadstream_api_conventions::{ApiError, Principal};
use serde_json::json;
use uuid::Uuid;

use super::identity_requests::CreateApiKeyRequest;
use crate::identity::IdentityService;

type Identity = web::Data<IdentityService>;

/// `POST /api/v1/api-keys`: the key is in this answer and nowhere else, ever.
pub async fn create(
    identity: Identity,
    principal: Principal,
    body: web::Json<CreateApiKeyRequest>,
) -> Result<HttpResponse, ApiError> {
    let (name, role) = body.into_inner().parse().map_err(ApiError::validation)?;
    let created = identity.create_api_key(&principal, &name, role).await?;
    let mut answer = json!(created.view);
    answer["key"] = json!(created.key);
    Ok(HttpResponse::Created().json(answer))
}

/// `GET /api/v1/api-keys`: prefixes only.
pub async fn list(identity: Identity, principal: Principal) -> Result<HttpResponse, ApiError> {
    let keys = identity.api_keys(&principal).await?;
    Ok(HttpResponse::Ok().json(json!({ "data": keys, "total": keys.len() })))
}

/// `DELETE /api/v1/api-keys/{id}`: revoked at once, for every instance.
pub async fn revoke(identity: Identity, principal: Principal, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    identity.revoke_api_key(&principal, id.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}
