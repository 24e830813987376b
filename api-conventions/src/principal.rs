use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};
use futures_util::future::LocalBoxFuture;
use leadstream_domain::identity::Role;
use leadstream_domain::lead::LeadAccess;
use leadstream_domain::values::{AgentId, TenantId};
use uuid::Uuid;

use crate::{ApiError, Authenticator};

/// Who is calling, for which tenant, with which role. Every handler that touches tenant data
/// takes one; the tenant in every command, event and query comes from here and nowhere else.
#[derive(Debug, Clone)]
pub struct Principal {
    pub tenant_id: TenantId,
    pub role: Role,
    /// The user acting: the one logged in, or the one who made the API key.
    pub user_id: Uuid,
    pub credential: Credential,
    /// Who acted, as recorded in event metadata and counted by rate limits.
    pub actor: String,
}

/// How the principal proved itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Credential {
    /// An access token from login.
    User,
    /// The API key with this id.
    ApiKey(Uuid),
}

impl Principal {
    /// Refuses (403) unless the principal runs the tenant.
    pub fn require_admin(&self) -> Result<(), ApiError> {
        if self.role.is_admin() {
            Ok(())
        } else {
            Err(ApiError::forbidden("this needs the admin role"))
        }
    }

    /// Refuses (403) unless a person signed in with a password made this request. Credentials
    /// (passwords, e-mail, roles, activation, API keys) are never an API key's to manage: a key
    /// that could change its owner's password or mint keys would outlive its own revocation.
    pub fn require_signed_in_user(&self) -> Result<(), ApiError> {
        match self.credential {
            Credential::User => Ok(()),
            Credential::ApiKey(_) => Err(ApiError::new(
                actix_web::http::StatusCode::FORBIDDEN,
                "USER_CREDENTIAL_REQUIRED",
                "users and API keys are managed with a signed-in user's access token, never with an API key",
            )),
        }
    }

    /// Which of the tenant's leads this principal may see and change.
    pub fn lead_access(&self) -> LeadAccess {
        if self.role.is_admin() {
            LeadAccess::WholeTenant
        } else {
            LeadAccess::AssignedTo(AgentId(self.user_id))
        }
    }
}

/// The outcome of authenticating one request, kept so it is worked out once.
#[derive(Clone)]
struct Authenticated(Result<Principal, ApiError>);

impl FromRequest for Principal {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        // Middlewares (rate limits, idempotency) and the handler all ask: resolve once per request.
        if let Some(Authenticated(outcome)) = req.extensions().get::<Authenticated>() {
            let outcome = outcome.clone();
            return Box::pin(async move { outcome });
        }
        let authenticator = req.app_data::<web::Data<Authenticator>>().cloned();
        let req = req.clone();
        Box::pin(async move {
            let Some(authenticator) = authenticator else {
                return Err(ApiError::internal("no authenticator configured"));
            };
            let outcome = authenticator.authenticate(req.headers()).await;
            req.extensions_mut().insert(Authenticated(outcome.clone()));
            outcome
        })
    }
}
