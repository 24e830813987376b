//! `POST /api/v1/calls` and the turn endpoints `/start`, `/respond`, `/end` (seeds 003, 004).

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use leadstream_api_conventions::{ApiError, Json, OptionalJson, Principal};
use leadstream_domain::call::{Call, CallDirection, CallError};
use leadstream_domain::conversation::{CallAnalytics, CallSummary, Language, TurnAnalysis};
use leadstream_domain::lead::Channel;
use leadstream_domain::values::{LongText, PhoneNumber, ShortText};
use leadstream_domain::{FieldError, ValidationErrors};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::command_response::{command_error, request_metadata, EVENT_POSITION_HEADER};
use super::lead_requests::{required_field, uuid_field};
use super::leads::{no_address, visible_lead, Service};
use crate::calls::{CallFailure, CallService, NewCall};
use crate::clock::Clock;
use crate::{CommandMetadata, Executed};

/// `POST /api/v1/calls`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateCallRequest {
    #[schema(schema_with = leadstream_api_conventions::field_schema::id, required = true)]
    lead_id: Option<String>,
    /// E.164; the lead's own phone when absent.
    #[serde(alias = "phone")]
    #[schema(schema_with = leadstream_api_conventions::field_schema::phone_or_null)]
    phone_number: Option<String>,
    /// `outbound` (the default).
    #[schema(schema_with = leadstream_api_conventions::field_schema::outbound_or_null)]
    call_type: Option<String>,
    #[schema(schema_with = leadstream_api_conventions::field_schema::short_text_or_null)]
    purpose: Option<String>,
    /// `en` or `es` (or a locale such as `es-CL`); default `en`.
    #[schema(schema_with = leadstream_api_conventions::field_schema::language_or_null)]
    language: Option<String>,
    /// Seed 004's `voice_settings`; its `language` is read when `language` is absent.
    #[schema(schema_with = leadstream_api_conventions::field_schema::voice_settings_or_null)]
    voice_settings: Option<serde_json::Value>,
}

/// `POST /api/v1/calls/{id}/respond`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct RespondRequest {
    /// What the customer said.
    #[serde(alias = "customer_text")]
    #[schema(schema_with = leadstream_api_conventions::field_schema::long_text, required = true)]
    text: Option<String>,
}

/// `POST /api/v1/calls/{id}/end`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct EndCallRequest {
    /// `completed` (the default), or a failure: `no_answer`, `busy`, `failed`, `voicemail`, …
    #[schema(schema_with = leadstream_api_conventions::field_schema::slug_or_null)]
    reason: Option<String>,
    /// What the call achieved, e.g. `appointment_scheduled`.
    #[schema(schema_with = leadstream_api_conventions::field_schema::slug_or_null)]
    outcome: Option<String>,
}

/// A call after a command.
#[derive(Serialize, ToSchema)]
pub struct CallAnswer {
    success: bool,
    id: Uuid,
    call_id: Uuid,
    lead_id: Option<Uuid>,
    /// `queued`, `in_progress`, `completed` or `failed`.
    status: &'static str,
    #[schema(value_type = String)]
    direction: CallDirection,
    phone: Option<String>,
    language: &'static str,
    provider: String,
    provider_call_id: String,
    /// On `/start`: what the assistant said first.
    opening_message: Option<String>,
    /// On `/respond`: the assistant's answer.
    ai_response: Option<String>,
    /// On `/respond`: what the customer's words show.
    #[schema(value_type = Option<Object>)]
    analysis: Option<TurnAnalysis>,
    /// Where the conversation stands.
    #[schema(value_type = String)]
    conversation_state: leadstream_domain::conversation::ConversationState,
    should_continue: bool,
    /// On `/end` of a held call.
    #[schema(value_type = Option<Object>)]
    summary: Option<CallSummary>,
    #[schema(value_type = Option<Object>)]
    analytics: Option<CallAnalytics>,
    /// The call's version after the command.
    version: i64,
    /// The global position of the command's last event (also in `X-Event-Position`).
    position: Option<i64>,
}

fn answer(status: StatusCode, executed: Executed<Call>) -> HttpResponse {
    let call = executed.state;
    let last_turn = call.turns.last();
    let turned = executed
        .events
        .iter()
        .any(|e| matches!(e, leadstream_domain::call::CallEvent::TurnRecorded(_)));
    let completed = call.completed.clone();
    let body = CallAnswer {
        success: true,
        id: call.call_id.unwrap_or_default(),
        call_id: call.call_id.unwrap_or_default(),
        lead_id: call.lead_id,
        status: call.status.as_str(),
        direction: call.direction,
        phone: call.phone.as_ref().map(|p| p.as_str().to_string()),
        language: call.language.as_str(),
        provider: call.provider.clone(),
        provider_call_id: call.provider_call_id.clone(),
        opening_message: call.opening_message.clone(),
        ai_response: last_turn.filter(|_| turned).and_then(|t| t.reply.clone()),
        analysis: last_turn.filter(|_| turned).map(|t| t.analysis.clone()),
        conversation_state: call.conversation_state,
        should_continue: !call.status.is_finished()
            && executed.events.iter().all(|e| match e {
                leadstream_domain::call::CallEvent::TurnRecorded(t) => t.should_continue,
                _ => true,
            }),
        summary: completed.as_ref().map(|c| c.summary.clone()),
        analytics: completed.map(|c| c.analytics),
        version: executed.version,
        position: executed.position,
    };
    let mut response = HttpResponse::build(status);
    if let Some(position) = executed.position {
        response.insert_header((EVENT_POSITION_HEADER, position.to_string()));
    }
    if status == StatusCode::CREATED {
        response.insert_header(("location", format!("/api/v1/calls/{}", body.call_id)));
    }
    response.json(body)
}

/// Maps a refused call command onto the error shape.
pub(super) fn call_error(error: CallFailure) -> ApiError {
    match error {
        CallFailure::Refused(CallError::NotFound) => ApiError::not_found("call"),
        CallFailure::Refused(e @ CallError::AlreadyExists) => ApiError::conflict("CALL_EXISTS", e.to_string()),
        CallFailure::Refused(e @ CallError::NotStarted) => ApiError::conflict("CALL_NOT_STARTED", e.to_string()),
        CallFailure::Refused(e @ CallError::Finished(_)) => ApiError::conflict("CALL_FINISHED", e.to_string()),
        CallFailure::Refused(e @ CallError::TooManyTurns) => ApiError::conflict("CALL_TOO_LONG", e.to_string()),
        CallFailure::Provider(e) => {
            tracing::warn!(error = %e, "voice or conversation provider failed");
            ApiError::new(
                StatusCode::BAD_GATEWAY,
                "CALL_PROVIDER_UNAVAILABLE",
                "the voice or conversation provider did not answer; retry later",
            )
        }
        CallFailure::Store(e) => ApiError::internal(e),
    }
}

/// The call `id`, if the principal may see it (an agent: only calls with its own leads).
async fn visible_call(leads: &Service, calls: &CallService, principal: &Principal, id: Uuid) -> Result<Call, ApiError> {
    let call = calls.load(id).await.map_err(call_error)?;
    if !call.belongs_to(principal.tenant_id) {
        return Err(ApiError::not_found("call"));
    }
    if let (leadstream_domain::lead::LeadAccess::AssignedTo(_), Some(lead_id)) = (principal.lead_access(), call.lead_id)
    {
        let lead = leads.load(lead_id).await.map_err(command_error)?;
        if !lead.is_visible_to(principal.tenant_id, principal.lead_access()) {
            return Err(ApiError::not_found("call"));
        }
    }
    Ok(call)
}

fn metadata(principal: &Principal, clock: &Clock) -> CommandMetadata {
    request_metadata(principal, clock.now(), None)
}

/// `POST /api/v1/calls`: an outbound call for a lead, placed through the voice provider.
pub async fn create(
    leads: Service,
    calls: web::Data<CallService>,
    clock: web::Data<Clock>,
    principal: Principal,
    body: Json<CreateCallRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let mut e = ValidationErrors::default();
    let lead_id = e.check(required_field("lead_id", body.lead_id).and_then(|raw| uuid_field("lead_id", &raw)));
    let phone = e.check_opt(body.phone_number, |raw| {
        PhoneNumber::parse(&raw).map_err(|e| e.for_field("phone_number"))
    });
    e.check_opt(body.call_type, |raw| match raw.trim() {
        "outbound" => Ok(()),
        _ => Err(FieldError::new(
            "call_type",
            "only outbound calls are placed here; inbound ones arrive by webhook",
        )),
    });
    let purpose = e.check_opt(body.purpose, |raw| {
        ShortText::parse("purpose", &raw).map(|p| p.as_str().to_string())
    });
    // Voice settings are free-form, but when given they are an object, and a language in them
    // is a language (the one used when `language` is absent).
    let settings_language = match body.voice_settings.as_ref() {
        None | Some(serde_json::Value::Null) => None,
        Some(serde_json::Value::Object(settings)) => match settings.get("language") {
            None => None,
            Some(serde_json::Value::String(language)) => Some(language.clone()),
            Some(_) => {
                e.push(FieldError::new(
                    "voice_settings.language",
                    "must be a language such as en or es-CL",
                ));
                None
            }
        },
        Some(_) => {
            e.push(FieldError::new("voice_settings", "must be an object"));
            None
        }
    };
    let settings_language = e.check_opt(settings_language, |raw| {
        Language::parse(&raw).map_err(|error| FieldError::new("voice_settings.language", error.message))
    });
    let language = e.check_opt(body.language, |raw| Language::parse(&raw));
    let language = language.or(settings_language).unwrap_or_default();
    let Some(lead_id) = lead_id else {
        return Err(ApiError::validation(e));
    };
    let lead = visible_lead(&leads, &principal, lead_id).await?;
    if !e.0.is_empty() {
        return Err(ApiError::validation(e));
    }
    // The request is well formed; the lead's state is what stands in the way (409).
    let phone = phone
        .or_else(|| lead.phone.clone())
        .ok_or_else(|| no_address(Channel::Sms, Some("phone_number")))?;
    let call = NewCall {
        direction: CallDirection::Outbound,
        phone,
        purpose,
        language,
        placed: None,
    };
    let executed = calls
        .create(Uuid::now_v7(), lead_id, call, &metadata(&principal, &clock))
        .await
        .map_err(call_error)?;
    Ok(answer(StatusCode::CREATED, executed))
}

/// `POST /api/v1/calls/{id}/start`: the lead answered; the assistant opens.
pub async fn start(
    leads: Service,
    calls: web::Data<CallService>,
    clock: web::Data<Clock>,
    principal: Principal,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = visible_call(&leads, &calls, &principal, id.into_inner())
        .await?
        .call_id
        .unwrap_or_default();
    let executed = calls
        .start(id, &metadata(&principal, &clock))
        .await
        .map_err(call_error)?;
    Ok(answer(StatusCode::OK, executed))
}

/// `POST /api/v1/calls/{id}/respond`: what the customer said; answers the assistant's reply
/// and the turn's analysis.
pub async fn respond(
    leads: Service,
    calls: web::Data<CallService>,
    clock: web::Data<Clock>,
    principal: Principal,
    id: web::Path<Uuid>,
    body: Json<RespondRequest>,
) -> Result<HttpResponse, ApiError> {
    let text = required_field("text", body.into_inner().text)
        .and_then(|raw| LongText::parse("text", &raw))
        .map_err(|e| ApiError::validation(ValidationErrors(vec![e])))?;
    let id = visible_call(&leads, &calls, &principal, id.into_inner())
        .await?
        .call_id
        .unwrap_or_default();
    let executed = calls
        .respond(id, text.as_str(), &metadata(&principal, &clock))
        .await
        .map_err(call_error)?;
    Ok(answer(StatusCode::OK, executed))
}

/// `POST /api/v1/calls/{id}/end`: hang up; a held call answers its summary and analytics.
pub async fn end(
    leads: Service,
    calls: web::Data<CallService>,
    clock: web::Data<Clock>,
    principal: Principal,
    id: web::Path<Uuid>,
    body: OptionalJson<EndCallRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.0.unwrap_or(EndCallRequest {
        reason: None,
        outcome: None,
    });
    let mut e = ValidationErrors::default();
    let reason = e
        .check_opt(body.reason, |raw| slug("reason", &raw))
        .unwrap_or_else(|| "completed".into());
    let outcome = e.check_opt(body.outcome, |raw| slug("outcome", &raw));
    if !e.0.is_empty() {
        return Err(ApiError::validation(e));
    }
    let id = visible_call(&leads, &calls, &principal, id.into_inner())
        .await?
        .call_id
        .unwrap_or_default();
    let executed = calls
        .end(id, &reason, outcome, &metadata(&principal, &clock))
        .await
        .map_err(call_error)?;
    Ok(answer(StatusCode::OK, executed))
}

/// A lower-case slug of at most 50 characters, named `field` when it is not.
pub(super) fn slug(field: &str, raw: &str) -> Result<String, FieldError> {
    leadstream_domain::values::ActivityType::parse(&raw.replace('-', "_"))
        .map(|s| s.as_str().to_string())
        .map_err(|e| e.for_field(field))
}
