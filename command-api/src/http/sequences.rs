//! `POST /api/v1/sequences/start`, `/stop` and `GET /api/v1/sequences` (seed 000).

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use leadstream_api_conventions::{ApiError, Json, Principal};
use leadstream_domain::lead::{Channel, LeadAccess};
use leadstream_domain::sequence::{
    SequenceAction, SequenceCommand, SequenceError, StartSequence, DEFAULT_TOUCHPOINT_DAYS,
};
use leadstream_domain::values::ActivityType;
use leadstream_domain::{FieldError, ValidationErrors};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::command_response::{command_error, request_metadata};
use super::lead_requests::{required_field, uuid_field};
use super::leads::{no_address, visible_lead, Service};
use crate::clock::Clock;
use crate::sequences::{SequenceFailure, SequenceService, SequenceView};

/// `POST /api/v1/sequences/start`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct StartRequest {
    #[schema(schema_with = leadstream_api_conventions::field_schema::id, required = true)]
    lead_id: Option<String>,
    /// A slug such as `nurture` (the default) or `reactivation`.
    #[schema(schema_with = leadstream_api_conventions::field_schema::slug_or_null)]
    sequence_type: Option<String>,
    /// `sms` (the default) or `email`.
    #[schema(schema_with = leadstream_api_conventions::field_schema::channel_or_null)]
    channel: Option<String>,
    /// Distinct days after the start, in any order; default 3, 7 and 30.
    #[schema(schema_with = leadstream_api_conventions::field_schema::touchpoint_days_or_null)]
    touchpoint_days: Option<Vec<u32>>,
}

/// `POST /api/v1/sequences/stop`: one sequence, or every active one of a lead.
#[derive(Debug, Deserialize, ToSchema)]
pub struct StopRequest {
    #[schema(schema_with = leadstream_api_conventions::field_schema::id_or_null)]
    sequence_id: Option<String>,
    #[schema(schema_with = leadstream_api_conventions::field_schema::id_or_null)]
    lead_id: Option<String>,
    reason: Option<String>,
}

/// `GET /api/v1/sequences` parameters.
#[derive(Debug, Deserialize, ToSchema)]
pub struct SequenceListParams {
    lead_id: Option<Uuid>,
    /// `active`, `completed` or `stopped`.
    #[schema(schema_with = leadstream_api_conventions::field_schema::sequence_status)]
    status: Option<String>,
}

/// The sequences a call touched.
#[derive(Serialize, ToSchema)]
pub struct SequenceList {
    data: Vec<SequenceView>,
}

/// The schedule asked for, in the order the touchpoints fall (the days are a set).
fn touchpoint_days(asked: Option<Vec<u32>>) -> Vec<u32> {
    let mut days = asked.unwrap_or_else(|| DEFAULT_TOUCHPOINT_DAYS.to_vec());
    days.sort_unstable();
    days
}

fn failure(error: SequenceFailure) -> ApiError {
    match error {
        SequenceFailure::Refused(SequenceError::NotFound) => ApiError::not_found("sequence"),
        SequenceFailure::Refused(SequenceError::BadSchedule) => {
            ApiError::validation(ValidationErrors(vec![FieldError::new(
                "touchpoint_days",
                SequenceError::BadSchedule.to_string(),
            )]))
        }
        SequenceFailure::Refused(other) => ApiError::conflict("SEQUENCE_REFUSED", other.to_string()),
        SequenceFailure::Store(e) => ApiError::internal(e),
    }
}

/// `POST /api/v1/sequences/start`.
pub async fn start(
    service: Service,
    sequences: web::Data<SequenceService>,
    clock: web::Data<Clock>,
    principal: Principal,
    body: Json<StartRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let mut e = ValidationErrors::default();
    let lead_id = e.check(required_field("lead_id", body.lead_id).and_then(|raw| uuid_field("lead_id", &raw)));
    let sequence_type = e
        .check_opt(body.sequence_type, |raw| {
            ActivityType::parse(&raw)
                .map(|t| t.as_str().to_string())
                .map_err(|e| e.for_field("sequence_type"))
        })
        .unwrap_or_else(|| "nurture".into());
    let channel = e.check(match body.channel.as_deref().map(str::trim) {
        None | Some("sms") => Ok(Channel::Sms),
        Some("email") => Ok(Channel::Email),
        Some(_) => Err(FieldError::new("channel", "must be sms or email")),
    });
    let (Some(lead_id), Some(channel)) = (lead_id, channel) else {
        return Err(ApiError::validation(e));
    };
    if !e.0.is_empty() {
        return Err(ApiError::validation(e));
    }
    let lead = visible_lead(&service, &principal, lead_id).await?;
    if lead.address_for(channel).is_none() {
        return Err(no_address(channel, None));
    }
    let now = clock.now();
    let command = SequenceCommand {
        tenant_id: principal.tenant_id,
        issued_at: now,
        action: SequenceAction::Start(StartSequence {
            sequence_id: Uuid::now_v7(),
            lead_id,
            sequence_type,
            channel,
            days: touchpoint_days(body.touchpoint_days),
            messages: vec![],
            campaign_id: None,
        }),
    };
    let metadata = request_metadata(&principal, now, None);
    let id = sequences.start(command, &metadata).await.map_err(failure)?;
    let view = sequences
        .get(principal.tenant_id.0, id)
        .await
        .map_err(ApiError::internal)?
        .ok_or_else(|| ApiError::internal("a started sequence is missing"))?;
    Ok(HttpResponse::build(StatusCode::CREATED).json(view))
}

/// `POST /api/v1/sequences/stop`.
pub async fn stop(
    service: Service,
    sequences: web::Data<SequenceService>,
    clock: web::Data<Clock>,
    principal: Principal,
    body: Json<StopRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let mut e = ValidationErrors::default();
    let sequence_id = e.check_opt(body.sequence_id, |raw| uuid_field("sequence_id", &raw));
    let lead_id = e.check_opt(body.lead_id, |raw| uuid_field("lead_id", &raw));
    let reason = body
        .reason
        .map(|r| r.trim().chars().take(500).collect::<String>())
        .filter(|r| !r.is_empty())
        .unwrap_or_else(|| "stopped by a user".into());
    if sequence_id.is_none() && lead_id.is_none() && e.0.is_empty() {
        e.push(FieldError::new("sequence_id", "give a sequence_id or a lead_id"));
    }
    if !e.0.is_empty() {
        return Err(ApiError::validation(e));
    }
    let tenant = principal.tenant_id.0;
    let targets = match (sequence_id, lead_id) {
        (Some(id), _) => {
            let view = sequences.get(tenant, id).await.map_err(ApiError::internal)?;
            vec![view.ok_or_else(|| ApiError::not_found("sequence"))?.lead_id]
                .into_iter()
                .map(|lead| (id, lead))
                .collect::<Vec<_>>()
        }
        (None, Some(lead)) => sequences
            .active_of_lead(tenant, lead)
            .await
            .map_err(ApiError::internal)?
            .into_iter()
            .map(|id| (id, lead))
            .collect(),
        (None, None) => vec![],
    };
    // An agent stops only the sequences of its own leads.
    if let LeadAccess::AssignedTo(_) = principal.lead_access() {
        for (_, lead) in &targets {
            let lead = service.load(*lead).await.map_err(command_error)?;
            if !lead.is_visible_to(principal.tenant_id, principal.lead_access()) {
                return Err(ApiError::not_found("sequence"));
            }
        }
    }
    let now = clock.now();
    let metadata = request_metadata(&principal, now, None);
    let mut data = vec![];
    for (id, _) in targets {
        let command = SequenceCommand {
            tenant_id: principal.tenant_id,
            issued_at: now,
            action: SequenceAction::Stop { reason: reason.clone() },
        };
        sequences.execute(id, command, &metadata).await.map_err(failure)?;
        data.extend(sequences.get(tenant, id).await.map_err(ApiError::internal)?);
    }
    Ok(HttpResponse::Ok().json(SequenceList { data }))
}

/// `GET /api/v1/sequences`.
pub async fn list(
    sequences: web::Data<SequenceService>,
    principal: Principal,
    params: web::Query<SequenceListParams>,
) -> Result<HttpResponse, ApiError> {
    let params = params.into_inner();
    if let Some(status) = params
        .status
        .as_deref()
        .filter(|s| !["active", "completed", "stopped"].contains(s))
    {
        return Err(ApiError::validation(ValidationErrors(vec![FieldError::new(
            "status",
            format!("{status:?}: use active, completed or stopped"),
        )])));
    }
    let agent = match principal.lead_access() {
        LeadAccess::AssignedTo(agent) => Some(agent.0),
        LeadAccess::WholeTenant => None,
    };
    let data = sequences
        .list(
            principal.tenant_id.0,
            agent,
            params.lead_id,
            params.status.as_deref(),
            None,
        )
        .await
        .map_err(ApiError::internal)?;
    Ok(HttpResponse::Ok().json(SequenceList { data }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn touchpoint_days_are_a_set_taken_in_order() {
        assert_eq!(touchpoint_days(Some(vec![30, 3, 7])), [3, 7, 30]);
        assert_eq!(touchpoint_days(None), DEFAULT_TOUCHPOINT_DAYS);
    }
}
