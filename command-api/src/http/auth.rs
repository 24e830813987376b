//! Registration, login, the caller's profile and password resets.

use actix_web::{web, HttpResponse};
use leadstream_api_conventions::{ApiError, Credential, IssuedToken, Json, Principal};
use serde::Serialize;
use utoipa::ToSchema;

use super::identity_requests::*;
use crate::identity::{IdentityService, TenantView, UserView};

/// A logged-in session: the bearer token and who it is for.
#[derive(Serialize, ToSchema)]
pub struct TokenAnswer {
    access_token: String,
    /// Always `bearer`.
    token_type: &'static str,
    /// Seconds until the token expires.
    expires_in: u64,
    user: UserView,
    /// The new tenant (registration only).
    #[serde(skip_serializing_if = "Option::is_none")]
    tenant: Option<TenantView>,
}

/// The caller: its user, tenant, and how and with which role it is acting now.
#[derive(Serialize, ToSchema)]
pub struct MeAnswer {
    #[serde(flatten)]
    user: UserView,
    tenant: TenantView,
    /// `access_token` or `api_key`.
    authenticated_by: &'static str,
    /// The role this request acts with (a key may hold less than its owner).
    #[schema(value_type = String)]
    effective_role: leadstream_domain::identity::Role,
}

/// A confirmation for people.
#[derive(Serialize, ToSchema)]
#[schema(as = Confirmation)]
pub struct MessageAnswer {
    message: &'static str,
}

type Identity = web::Data<IdentityService>;

/// `POST /api/v1/auth/register`: always 202, the same for a new address and a taken one; the
/// confirmation token goes to the address.
pub async fn register(identity: Identity, body: Json<RegisterRequest>) -> Result<HttpResponse, ApiError> {
    let registration = body.into_inner().parse().map_err(ApiError::validation)?;
    identity.register(registration).await?;
    Ok(HttpResponse::Accepted().json(MessageAnswer {
        message: "check the mailbox of this address: it holds the token that confirms the registration",
    }))
}

/// `POST /api/v1/auth/confirm`: the mailed token creates the tenant and its admin, logged in.
pub async fn confirm(identity: Identity, body: Json<ConfirmRegistrationRequest>) -> Result<HttpResponse, ApiError> {
    let token = body.into_inner().parse().map_err(ApiError::validation)?;
    let (tenant, user, token) = identity.confirm_registration(&token).await?;
    Ok(HttpResponse::Created().json(token_answer(token, user, Some(tenant))))
}

/// `POST /api/v1/auth/login`.
pub async fn login(identity: Identity, body: Json<LoginRequest>) -> Result<HttpResponse, ApiError> {
    let (login, password) = body.into_inner().parse().map_err(ApiError::validation)?;
    let (user, token) = identity.login(&login, &password).await?;
    Ok(HttpResponse::Ok().json(token_answer(token, user, None)))
}

/// `GET /api/v1/auth/me`: the caller's profile, role and tenant.
pub async fn me(identity: Identity, principal: Principal) -> Result<HttpResponse, ApiError> {
    let (user, tenant) = identity.me(&principal).await?;
    Ok(HttpResponse::Ok().json(MeAnswer {
        user,
        tenant,
        authenticated_by: match principal.credential {
            Credential::User => "access_token",
            Credential::ApiKey(_) => "api_key",
        },
        effective_role: principal.role,
    }))
}

/// `POST /api/v1/auth/forgot-password`: always 202, registered or not.
pub async fn forgot_password(identity: Identity, body: Json<ForgotPasswordRequest>) -> Result<HttpResponse, ApiError> {
    let email = body.into_inner().parse().map_err(ApiError::validation)?;
    identity.forgot_password(&email).await?;
    Ok(HttpResponse::Accepted().json(MessageAnswer {
        message: "if this address belongs to an active account, a reset token is on its way",
    }))
}

/// `POST /api/v1/auth/reset-password`.
pub async fn reset_password(identity: Identity, body: Json<ResetPasswordRequest>) -> Result<HttpResponse, ApiError> {
    let (token, password) = body.into_inner().parse().map_err(ApiError::validation)?;
    identity.reset_password(&token, &password).await?;
    Ok(HttpResponse::Ok().json(MessageAnswer {
        message: "password changed; log in with the new one",
    }))
}

fn token_answer(token: IssuedToken, user: UserView, tenant: Option<TenantView>) -> TokenAnswer {
    TokenAnswer {
        access_token: token.token,
        token_type: "bearer",
        expires_in: token.expires_in,
        user,
        tenant,
    }
}
