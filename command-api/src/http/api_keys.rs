//! API keys: made by a principal, acting as it with at most its role.

use actix_web::{web, HttpResponse};
use leadstream_api_conventions::{ApiError, Json, Principal};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::identity_requests::CreateApiKeyRequest;
use crate::identity::{ApiKeyView, IdentityService};

/// A key just made. `key` is shown here once and never again.
#[derive(Serialize, ToSchema)]
pub struct CreatedKeyAnswer {
    #[serde(flatten)]
    view: ApiKeyView,
    key: String,
}

/// The tenant's keys (an agent's own, for an agent), by prefix.
#[derive(Serialize, ToSchema)]
pub struct ApiKeyList {
    data: Vec<ApiKeyView>,
    total: usize,
}

type Identity = web::Data<IdentityService>;

/// `POST /api/v1/api-keys`: the key is in this answer and nowhere else, ever.
pub async fn create(
    identity: Identity,
    principal: Principal,
    body: Json<CreateApiKeyRequest>,
) -> Result<HttpResponse, ApiError> {
    let (name, role) = body.into_inner().parse().map_err(ApiError::validation)?;
    let created = identity.create_api_key(&principal, &name, role).await?;
    Ok(HttpResponse::Created().json(CreatedKeyAnswer {
        view: created.view,
        key: created.key,
    }))
}

/// `GET /api/v1/api-keys`: prefixes only.
pub async fn list(identity: Identity, principal: Principal) -> Result<HttpResponse, ApiError> {
    let keys = identity.api_keys(&principal).await?;
    Ok(HttpResponse::Ok().json(ApiKeyList {
        total: keys.len(),
        data: keys,
    }))
}

/// `DELETE /api/v1/api-keys/{id}`: revoked at once, for every instance.
pub async fn revoke(identity: Identity, principal: Principal, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    identity.revoke_api_key(&principal, id.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}
