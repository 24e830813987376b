//! Registration, login, the caller's profile and password resets.

use actix_web::{web, HttpResponse};
use leadstream_api_conventions::{ApiError, IssuedToken, Principal};
use serde_json::json;

use super::identity_requests::*;
use crate::identity::{IdentityService, UserView};

type Identity = web::Data<IdentityService>;

/// `POST /api/v1/auth/register`: a new tenant and its first admin, logged in.
pub async fn register(identity: Identity, body: web::Json<RegisterRequest>) -> Result<HttpResponse, ApiError> {
    let registration = body.into_inner().parse().map_err(ApiError::validation)?;
    let (tenant, user, token) = identity.register(registration).await?;
    let mut answer = token_answer(token, &user);
    answer["tenant"] = json!(tenant);
    Ok(HttpResponse::Created().json(answer))
}

/// `POST /api/v1/auth/login`.
pub async fn login(identity: Identity, body: web::Json<LoginRequest>) -> Result<HttpResponse, ApiError> {
    let (login, password) = body.into_inner().parse().map_err(ApiError::validation)?;
    let (user, token) = identity.login(&login, &password).await?;
    Ok(HttpResponse::Ok().json(token_answer(token, &user)))
}

/// `GET /api/v1/auth/me`: the caller's profile, role and tenant.
pub async fn me(identity: Identity, principal: Principal) -> Result<HttpResponse, ApiError> {
    let (user, tenant) = identity.me(&principal).await?;
    let mut answer = json!(user);
    answer["tenant"] = json!(tenant);
    answer["authenticated_by"] = json!(match principal.credential {
        leadstream_api_conventions::Credential::User => "access_token",
        leadstream_api_conventions::Credential::ApiKey(_) => "api_key",
    });
    // A key may act with less than its owner's role: say which role this request has.
    answer["effective_role"] = json!(principal.role);
    Ok(HttpResponse::Ok().json(answer))
}

/// `POST /api/v1/auth/forgot-password`: always 202, registered or not.
pub async fn forgot_password(
    identity: Identity,
    body: web::Json<ForgotPasswordRequest>,
) -> Result<HttpResponse, ApiError> {
    let email = body.into_inner().parse().map_err(ApiError::validation)?;
    identity.forgot_password(&email).await?;
    Ok(HttpResponse::Accepted().json(json!({
        "message": "if this address belongs to an active account, a reset token is on its way"
    })))
}

/// `POST /api/v1/auth/reset-password`.
pub async fn reset_password(
    identity: Identity,
    body: web::Json<ResetPasswordRequest>,
) -> Result<HttpResponse, ApiError> {
    let (token, password) = body.into_inner().parse().map_err(ApiError::validation)?;
    identity.reset_password(&token, &password).await?;
    Ok(HttpResponse::Ok().json(json!({ "message": "password changed; log in with the new one" })))
}

fn token_answer(token: IssuedToken, user: &UserView) -> serde_json::Value {
    json!({
        "access_token": token.token,
        "token_type": "bearer",
        "expires_in": token.expires_in,
        "user": user,
    })
}
