//! `POST /api/v1/sms` and `POST /api/v1/emails` (seed 002): the provider sends, the lead's
//! stream records `lead.message_sent`.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use leadstream_api_conventions::{ApiError, Json, Principal};
use leadstream_domain::lead::{Channel, LeadAction, SentMessage};
use leadstream_domain::values::{EmailAddress, LongText, PhoneNumber, ShortText};
use leadstream_domain::{FieldError, ValidationErrors};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::command_response::command_headers;
use super::lead_requests::{required_field, uuid_field};
use super::leads::{execute, no_address, visible_lead, Service};
use crate::integrations::{Integrations, Outbound};

/// `POST /api/v1/sms`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct SmsRequest {
    #[schema(schema_with = leadstream_api_conventions::field_schema::id, required = true)]
    lead_id: Option<String>,
    /// E.164; the lead's own phone when absent.
    #[serde(alias = "to")]
    #[schema(schema_with = leadstream_api_conventions::field_schema::phone_or_null)]
    phone: Option<String>,
    #[serde(alias = "body", alias = "text")]
    #[schema(schema_with = leadstream_api_conventions::field_schema::long_text, required = true)]
    message: Option<String>,
}

/// `POST /api/v1/emails`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct EmailRequest {
    #[schema(schema_with = leadstream_api_conventions::field_schema::id, required = true)]
    lead_id: Option<String>,
    /// The lead's own e-mail when absent.
    #[serde(alias = "email")]
    #[schema(schema_with = leadstream_api_conventions::field_schema::email_or_null)]
    to: Option<String>,
    #[schema(schema_with = leadstream_api_conventions::field_schema::short_text_or_null)]
    subject: Option<String>,
    #[serde(alias = "body", alias = "message")]
    #[schema(schema_with = leadstream_api_conventions::field_schema::long_text, required = true)]
    content: Option<String>,
}

/// A message as sent.
#[derive(Serialize, ToSchema)]
pub struct MessageAnswer {
    id: Uuid,
    lead_id: Uuid,
    /// `sms` or `email`.
    channel: &'static str,
    to: String,
    subject: Option<String>,
    body: String,
    /// `sent`: the provider accepted it.
    status: &'static str,
    provider: String,
    provider_message_id: String,
    sent_at: Option<DateTime<Utc>>,
    /// The lead's version after recording it (also in `ETag`).
    version: u64,
    /// The global position of `lead.message_sent` (also in `X-Event-Position`).
    position: Option<i64>,
}

/// A parsed send request.
struct Send {
    lead_id: Uuid,
    channel: Channel,
    to: Option<String>,
    subject: Option<ShortText>,
    body: LongText,
}

/// `POST /api/v1/sms`.
pub async fn send_sms(
    service: Service,
    integrations: web::Data<Integrations>,
    principal: Principal,
    req: HttpRequest,
    body: Json<SmsRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let mut e = ValidationErrors::default();
    let lead_id = e.check(lead_id(body.lead_id));
    let to = e.check_opt(body.phone, |raw| {
        PhoneNumber::parse(&raw).map(|p| p.as_str().to_string())
    });
    let text = e.check(required_field("message", body.message).and_then(|raw| LongText::parse("message", &raw)));
    let (Some(lead_id), Some(body)) = (lead_id, text) else {
        return Err(ApiError::validation(e));
    };
    let send = Send {
        lead_id,
        channel: Channel::Sms,
        to,
        subject: None,
        body,
    };
    send_message(&service, &integrations, &principal, &req, e, send).await
}

/// `POST /api/v1/emails`.
pub async fn send_email(
    service: Service,
    integrations: web::Data<Integrations>,
    principal: Principal,
    req: HttpRequest,
    body: Json<EmailRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let mut e = ValidationErrors::default();
    let lead_id = e.check(lead_id(body.lead_id));
    let to = e.check_opt(body.to, |raw| {
        EmailAddress::parse(&raw)
            .map(|a| a.as_str().to_string())
            .map_err(|e| e.for_field("to"))
    });
    let subject = e.check_opt(body.subject, |raw| ShortText::parse("subject", &raw));
    let text = e.check(required_field("content", body.content).and_then(|raw| LongText::parse("content", &raw)));
    let (Some(lead_id), Some(body)) = (lead_id, text) else {
        return Err(ApiError::validation(e));
    };
    let send = Send {
        lead_id,
        channel: Channel::Email,
        to,
        subject,
        body,
    };
    send_message(&service, &integrations, &principal, &req, e, send).await
}

fn lead_id(raw: Option<String>) -> Result<Uuid, FieldError> {
    required_field("lead_id", raw).and_then(|raw| uuid_field("lead_id", &raw))
}

/// Sends through the provider, then records the message on the lead.
async fn send_message(
    service: &Service,
    integrations: &Integrations,
    principal: &Principal,
    req: &HttpRequest,
    errors: ValidationErrors,
    send: Send,
) -> Result<HttpResponse, ApiError> {
    let lead = visible_lead(service, principal, send.lead_id).await?;
    if !errors.0.is_empty() {
        return Err(ApiError::validation(errors));
    }
    // The request is well formed; the lead's state is what stands in the way (409).
    let give = match send.channel {
        Channel::Sms => "phone",
        Channel::Email => "to",
    };
    let to = send
        .to
        .or_else(|| lead.address_for(send.channel))
        .ok_or_else(|| no_address(send.channel, Some(give)))?;
    let outbound = Outbound {
        tenant_id: principal.tenant_id.0,
        lead_id: send.lead_id,
        channel: send.channel,
        to: to.clone(),
        subject: send.subject.as_ref().map(|s| s.as_str().to_string()),
        body: send.body.as_str().to_string(),
    };
    let accepted = integrations.messages.send(&outbound).await.map_err(|error| {
        tracing::warn!(%error, channel = send.channel.as_str(), "message provider failed");
        ApiError::new(
            StatusCode::BAD_GATEWAY,
            "MESSAGE_PROVIDER_UNAVAILABLE",
            "the messaging provider did not take the message; retry later",
        )
    })?;
    let message = SentMessage {
        message_id: Uuid::now_v7(),
        channel: send.channel,
        to,
        subject: send.subject,
        body: send.body,
        provider: accepted.provider,
        provider_message_id: accepted.provider_message_id,
    };
    let action = LeadAction::RecordMessage(Box::new(message.clone()));
    let outcome = execute(service, principal, req, send.lead_id, action).await?;
    let answer = MessageAnswer {
        id: message.message_id,
        lead_id: send.lead_id,
        channel: message.channel.as_str(),
        to: message.to,
        subject: message.subject.map(|s| s.as_str().to_string()),
        body: message.body.as_str().to_string(),
        status: "sent",
        provider: message.provider,
        provider_message_id: message.provider_message_id,
        sent_at: outcome.lead.updated_at,
        version: outcome.version,
        position: outcome.position,
    };
    Ok(command_headers(StatusCode::CREATED, &outcome).json(answer))
}
