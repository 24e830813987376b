//! `POST /api/v1/webhooks/inbound/{provider}` (and WhatsApp's `GET` handshake): provider
//! deliveries, verified before they become commands; `PUT …/{provider}/secret` sets the secret.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use leadstream_api_conventions::{parse_json, random_token, read_body, ApiError, Json, Principal};
use leadstream_domain::values::TenantId;
use leadstream_domain::{FieldError, ValidationErrors};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::clock::Clock;
use crate::webhooks::{verify, InboundOutcome, InboundService, Provider, ProviderSecret};

/// The largest delivery taken: providers' events are small; a transcript fits many times over.
const MAX_DELIVERY_BYTES: usize = 256 * 1024;

/// Which tenant a delivery is for: part of the webhook URL the tenant gives its provider.
#[derive(Debug, Deserialize, ToSchema)]
pub struct InboundParams {
    tenant_id: Option<String>,
}

/// WhatsApp's verification handshake.
#[derive(Debug, Deserialize, ToSchema)]
pub struct VerifyParams {
    tenant_id: Option<String>,
    #[serde(rename = "hub.mode")]
    mode: Option<String>,
    #[serde(rename = "hub.verify_token")]
    verify_token: Option<String>,
    #[serde(rename = "hub.challenge")]
    challenge: Option<String>,
}

/// `PUT /api/v1/webhooks/inbound/{provider}/secret`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct SecretRequest {
    /// 16 to 200 characters; a random one is made when absent.
    secret: Option<String>,
    /// WhatsApp only: what the verification handshake must present.
    verify_token: Option<String>,
}

/// A provider's webhook settings, with the secret (shown here, to copy into the provider).
#[derive(Serialize, ToSchema)]
pub struct SecretAnswer {
    provider: &'static str,
    secret: String,
    verify_token: Option<String>,
    /// Where the provider sends its events.
    webhook_url: String,
    /// The header that carries the body's hex HMAC-SHA256 under the secret.
    signature_header: &'static str,
}

/// What a delivery came to.
#[derive(Serialize, ToSchema)]
pub struct InboundAnswer {
    /// `processed` or `duplicate` (this provider event was taken before; nothing changed).
    status: &'static str,
    actions: Vec<String>,
}

fn provider(raw: &str) -> Result<Provider, ApiError> {
    Provider::parse(raw).ok_or_else(|| ApiError::not_found("webhook provider"))
}

fn bad_signature() -> ApiError {
    ApiError::bad_credentials("INVALID_SIGNATURE", "the webhook's signature does not verify")
}

/// The tenant named in the URL, with its secret for the provider; anything missing is the same
/// 401 as a bad signature, so the URL tells nobody which tenants exist.
async fn tenant_secret(
    inbound: &InboundService,
    provider: Provider,
    tenant: Option<&str>,
) -> Result<(TenantId, ProviderSecret), ApiError> {
    let tenant = tenant
        .and_then(|t| Uuid::parse_str(t.trim()).ok())
        .ok_or_else(bad_signature)?;
    let secret = inbound
        .secret(tenant, provider)
        .await
        .map_err(ApiError::internal)?
        .ok_or_else(bad_signature)?;
    Ok((TenantId(tenant), secret))
}

/// `POST /api/v1/webhooks/inbound/{provider}?tenant_id=…`.
pub async fn receive(
    inbound: web::Data<InboundService>,
    clock: web::Data<Clock>,
    path: web::Path<String>,
    params: web::Query<InboundParams>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let provider = provider(&path)?;
    let raw = read_body(payload, MAX_DELIVERY_BYTES).await?;
    let (tenant, secret) = tenant_secret(&inbound, provider, params.tenant_id.as_deref()).await?;
    let signature = req
        .headers()
        .get(provider.signature_header())
        .and_then(|v| v.to_str().ok())
        .ok_or_else(bad_signature)?;
    if !verify(&secret.secret, &raw, signature) {
        tracing::warn!(provider = provider.as_str(), %tenant, "webhook signature rejected");
        return Err(bad_signature());
    }
    let body: serde_json::Value = parse_json(&raw)?;
    let outcome = inbound
        .take(tenant, provider, &body, &raw, clock.now())
        .await
        .map_err(ApiError::internal)?;
    let answer = match outcome {
        InboundOutcome::Processed(actions) => InboundAnswer {
            status: "processed",
            actions,
        },
        InboundOutcome::Duplicate => InboundAnswer {
            status: "duplicate",
            actions: vec![],
        },
    };
    Ok(HttpResponse::Ok().json(answer))
}

/// `GET /api/v1/webhooks/inbound/whatsapp`: echoes `hub.challenge` when the token matches.
pub async fn verify_subscription(
    inbound: web::Data<InboundService>,
    path: web::Path<String>,
    params: web::Query<VerifyParams>,
) -> Result<HttpResponse, ApiError> {
    let provider = provider(&path)?;
    if provider != Provider::Whatsapp {
        return Err(ApiError::not_found("verification handshake"));
    }
    let (_, secret) = tenant_secret(&inbound, provider, params.tenant_id.as_deref()).await?;
    let expected = secret.verify_token.as_deref().unwrap_or_default();
    let given = params.verify_token.as_deref().unwrap_or_default();
    let matches = !expected.is_empty()
        && expected.len() == given.len()
        && expected.bytes().zip(given.bytes()).fold(0, |acc, (a, b)| acc | (a ^ b)) == 0;
    match (params.mode.as_deref(), params.challenge.as_deref()) {
        (Some("subscribe"), Some(challenge)) if matches => Ok(HttpResponse::Ok()
            .content_type("text/plain")
            .body(challenge.to_string())),
        _ => Err(ApiError::forbidden("the verification token does not match")),
    }
}

/// `PUT /api/v1/webhooks/inbound/{provider}/secret` (admins).
pub async fn set_secret(
    inbound: web::Data<InboundService>,
    principal: Principal,
    path: web::Path<String>,
    body: Json<SecretRequest>,
) -> Result<HttpResponse, ApiError> {
    principal.require_admin()?;
    let provider = provider(&path)?;
    let body = body.into_inner();
    let mut e = ValidationErrors::default();
    let secret = e
        .check_opt(body.secret, |raw| {
            let raw = raw.trim().to_string();
            (16..=200)
                .contains(&raw.chars().count())
                .then_some(raw)
                .ok_or_else(|| FieldError::new("secret", "must be 16 to 200 characters"))
        })
        .unwrap_or_else(random_token);
    let verify_token = e.check_opt(body.verify_token, |raw| {
        let raw = raw.trim().to_string();
        (1..=200)
            .contains(&raw.chars().count())
            .then_some(raw)
            .ok_or_else(|| FieldError::new("verify_token", "must be 1 to 200 characters"))
    });
    if !e.0.is_empty() {
        return Err(ApiError::validation(e));
    }
    let stored = ProviderSecret { secret, verify_token };
    inbound
        .set_secret(principal.tenant_id.0, provider, &stored)
        .await
        .map_err(ApiError::internal)?;
    Ok(HttpResponse::build(StatusCode::OK).json(SecretAnswer {
        provider: provider.as_str(),
        secret: stored.secret,
        verify_token: stored.verify_token,
        webhook_url: format!(
            "/api/v1/webhooks/inbound/{}?tenant_id={}",
            provider.as_str(),
            principal.tenant_id
        ),
        signature_header: provider.signature_header(),
    }))
}
