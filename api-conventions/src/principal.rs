use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpMessage, HttpRequest};
use leadstream_domain::values::TenantId;
use std::future::{ready, Ready};
use uuid::Uuid;

use crate::ApiError;

/// Who is calling, and for which tenant. Every handler that touches tenant data takes one;
/// the tenant in every command, event and query comes from here and nowhere else.
#[derive(Debug, Clone)]
pub struct Principal {
    pub tenant_id: TenantId,
    /// Who acted, as recorded in event metadata.
    pub actor: String,
}

impl FromRequest for Principal {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        // Middlewares (rate limits, idempotency) and the handler all ask: resolve once per request.
        if let Some(principal) = req.extensions().get::<Principal>() {
            return ready(Ok(principal.clone()));
        }
        let result = authenticate(req);
        if let Ok(principal) = &result {
            req.extensions_mut().insert(principal.clone());
        }
        ready(result)
    }
}

/// Provisional until identity lands: the X-Tenant-ID header stands in for an authenticated
/// principal's tenant. This is the only place that reads it.
fn authenticate(req: &HttpRequest) -> Result<Principal, ApiError> {
    match req.headers().get("x-tenant-id").map(|v| v.to_str()) {
        None => Err(ApiError::unauthorized("missing X-Tenant-ID header")),
        Some(Ok(raw)) => Uuid::parse_str(raw.trim())
            .map(|id| Principal {
                tenant_id: TenantId(id),
                actor: format!("tenant:{id}"),
            })
            .map_err(|_| ApiError::unauthorized("X-Tenant-ID must be a UUID")),
        Some(Err(_)) => Err(ApiError::unauthorized("X-Tenant-ID must be a UUID")),
    }
}
