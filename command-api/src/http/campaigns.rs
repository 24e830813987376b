//! `/api/v1/campaigns` (seed 003): CRUD, `/steps`, `/apply` (a sequence per selected lead) and
//! `/logs` (what those sequences sent and have still to send).

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use leadstream_api_conventions::{ApiError, Json, Principal};
use leadstream_domain::lead::{Channel, LeadAccess};
use leadstream_domain::scoring::Tier;
use leadstream_domain::sequence::{PlannedMessage, SequenceAction, SequenceCommand, StartSequence};
use leadstream_domain::values::{LeadStatus, LongText, PipelineStage, ShortText, Tag};
use leadstream_domain::{FieldError, ValidationErrors};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::command_response::{command_error, request_metadata};
use super::leads::Service;
use crate::campaigns::{CampaignStep, CampaignStore, CampaignView};
use crate::clock::Clock;
use crate::sequences::{SequenceFailure, SequenceService, SequenceView};

/// The most leads one application reaches.
const MAX_APPLY_LEADS: i64 = 500;

/// A step as a client writes it.
#[derive(Debug, Deserialize, ToSchema)]
pub struct StepRequest {
    /// Days after the campaign is applied, 1–365.
    #[schema(minimum = 1, maximum = 365, required = true, nullable = false)]
    day: Option<u32>,
    /// `sms` (the default) or `email`.
    #[schema(schema_with = leadstream_api_conventions::field_schema::channel_or_null)]
    channel: Option<String>,
    #[schema(schema_with = leadstream_api_conventions::field_schema::short_text_or_null)]
    subject: Option<String>,
    /// May name `{{name}}`.
    #[schema(schema_with = leadstream_api_conventions::field_schema::long_text, required = true)]
    message: Option<String>,
}

/// `POST /api/v1/campaigns`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateCampaignRequest {
    #[schema(schema_with = leadstream_api_conventions::field_schema::short_text, required = true)]
    name: Option<String>,
    #[schema(schema_with = leadstream_api_conventions::field_schema::long_text_or_null)]
    description: Option<String>,
    steps: Option<Vec<StepRequest>>,
}

/// `PUT /api/v1/campaigns/{id}`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct UpdateCampaignRequest {
    #[schema(schema_with = leadstream_api_conventions::field_schema::short_text_or_null)]
    name: Option<String>,
    #[schema(schema_with = leadstream_api_conventions::field_schema::long_text_or_null)]
    description: Option<String>,
    /// `active` or `paused` (a paused campaign applies to nobody).
    #[schema(schema_with = leadstream_api_conventions::field_schema::campaign_status_or_null)]
    status: Option<String>,
}

/// `POST /api/v1/campaigns/{id}/apply`: the leads to reach, by id or by the list's filters.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ApplyRequest {
    lead_ids: Option<Vec<Uuid>>,
    #[schema(schema_with = leadstream_api_conventions::field_schema::lead_status_or_null)]
    status: Option<String>,
    #[serde(alias = "temperature")]
    #[schema(schema_with = leadstream_api_conventions::field_schema::tier_or_null)]
    tier: Option<String>,
    #[schema(schema_with = leadstream_api_conventions::field_schema::slug_or_null)]
    source: Option<String>,
    #[schema(schema_with = leadstream_api_conventions::field_schema::pipeline_stage_or_null)]
    pipeline_stage: Option<String>,
    #[schema(schema_with = leadstream_api_conventions::field_schema::tag_or_null)]
    tag: Option<String>,
}

/// The tenant's campaigns.
#[derive(Serialize, ToSchema)]
pub struct CampaignList {
    data: Vec<CampaignView>,
}

/// What applying a campaign did.
#[derive(Serialize, ToSchema)]
pub struct ApplyAnswer {
    campaign_id: Uuid,
    applied: usize,
    sequence_ids: Vec<Uuid>,
    skipped: Vec<Skipped>,
}

/// A selected lead the campaign did not start for, and why.
#[derive(Serialize, ToSchema)]
pub struct Skipped {
    lead_id: Uuid,
    reason: String,
}

/// The campaign's sequences, each with its touchpoints' states.
#[derive(Serialize, ToSchema)]
pub struct CampaignLogs {
    campaign_id: Uuid,
    data: Vec<SequenceView>,
}

fn step(raw: StepRequest, at: usize, e: &mut ValidationErrors) -> Option<CampaignStep> {
    let field = |name: &str| format!("steps[{at}].{name}");
    let day = e.check(match raw.day {
        Some(d @ 1..=365) => Ok(d as i32),
        _ => Err(FieldError::new(field("day"), "is required, 1 to 365")),
    });
    let channel = e.check(match raw.channel.as_deref().map(str::trim) {
        None | Some("sms") => Ok("sms"),
        Some("email") => Ok("email"),
        Some(_) => Err(FieldError::new(field("channel"), "must be sms or email")),
    });
    let subject = e.check_opt(raw.subject, |s| {
        ShortText::parse(&field("subject"), &s).map(|s| s.as_str().to_string())
    });
    let message = e.check(
        raw.message
            .ok_or_else(|| FieldError::new(field("message"), "is required"))
            .and_then(|m| LongText::parse(&field("message"), &m).map(|m| m.as_str().to_string())),
    );
    Some(CampaignStep {
        day: day?,
        channel: channel?.to_string(),
        subject,
        message: message?,
    })
}

fn name(raw: String, e: &mut ValidationErrors) -> Option<String> {
    e.check(ShortText::parse("name", &raw).map(|n| n.as_str().to_string()))
}

async fn found(store: &CampaignStore, principal: &Principal, id: Uuid) -> Result<CampaignView, ApiError> {
    store
        .get(principal.tenant_id.0, id)
        .await
        .map_err(ApiError::internal)?
        .ok_or_else(|| ApiError::not_found("campaign"))
}

/// `POST /api/v1/campaigns` (admins).
pub async fn create(
    store: web::Data<CampaignStore>,
    principal: Principal,
    body: Json<CreateCampaignRequest>,
) -> Result<HttpResponse, ApiError> {
    principal.require_admin()?;
    let body = body.into_inner();
    let mut e = ValidationErrors::default();
    let name = match body.name {
        Some(raw) => name(raw, &mut e),
        None => e.check(Err(FieldError::new("name", "is required"))),
    };
    let description = e.check_opt(body.description, |d| LongText::parse("description", &d));
    let steps: Vec<Option<CampaignStep>> = body
        .steps
        .unwrap_or_default()
        .into_iter()
        .take(20)
        .enumerate()
        .map(|(i, s)| step(s, i, &mut e))
        .collect();
    let (Some(name), true) = (name, e.0.is_empty()) else {
        return Err(ApiError::validation(e));
    };
    let steps: Vec<CampaignStep> = steps.into_iter().flatten().collect();
    let id = store
        .create(
            principal.tenant_id.0,
            &name,
            description.as_ref().map(LongText::as_str),
            &steps,
        )
        .await
        .map_err(ApiError::internal)?;
    Ok(HttpResponse::build(StatusCode::CREATED).json(found(&store, &principal, id).await?))
}

/// `GET /api/v1/campaigns`.
pub async fn list(store: web::Data<CampaignStore>, principal: Principal) -> Result<HttpResponse, ApiError> {
    let data = store.list(principal.tenant_id.0).await.map_err(ApiError::internal)?;
    Ok(HttpResponse::Ok().json(CampaignList { data }))
}

/// `GET /api/v1/campaigns/{id}`.
pub async fn get(
    store: web::Data<CampaignStore>,
    principal: Principal,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(found(&store, &principal, id.into_inner()).await?))
}

/// `PUT /api/v1/campaigns/{id}` (admins).
pub async fn update(
    store: web::Data<CampaignStore>,
    principal: Principal,
    id: web::Path<Uuid>,
    body: Json<UpdateCampaignRequest>,
) -> Result<HttpResponse, ApiError> {
    principal.require_admin()?;
    let body = body.into_inner();
    let mut e = ValidationErrors::default();
    let name = body.name.and_then(|raw| name(raw, &mut e));
    let description = e.check_opt(body.description, |d| LongText::parse("description", &d));
    let status = e.check_opt(body.status, |s| match s.trim() {
        "active" => Ok("active"),
        "paused" => Ok("paused"),
        _ => Err(FieldError::new("status", "must be active or paused")),
    });
    if !e.0.is_empty() {
        return Err(ApiError::validation(e));
    }
    let id = id.into_inner();
    let changed = store
        .update(
            principal.tenant_id.0,
            id,
            name.as_deref(),
            description.as_ref().map(LongText::as_str),
            status,
        )
        .await
        .map_err(ApiError::internal)?;
    if !changed {
        return Err(ApiError::not_found("campaign"));
    }
    Ok(HttpResponse::Ok().json(found(&store, &principal, id).await?))
}

/// `DELETE /api/v1/campaigns/{id}` (admins): archived; the sequences it started run on.
pub async fn delete(
    store: web::Data<CampaignStore>,
    principal: Principal,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    principal.require_admin()?;
    let changed = store
        .update(principal.tenant_id.0, id.into_inner(), None, None, Some("archived"))
        .await
        .map_err(ApiError::internal)?;
    if !changed {
        return Err(ApiError::not_found("campaign"));
    }
    Ok(HttpResponse::NoContent().finish())
}

/// `POST /api/v1/campaigns/{id}/steps` (admins): a step on its day (replacing one already there).
pub async fn add_step(
    store: web::Data<CampaignStore>,
    principal: Principal,
    id: web::Path<Uuid>,
    body: Json<StepRequest>,
) -> Result<HttpResponse, ApiError> {
    principal.require_admin()?;
    let mut e = ValidationErrors::default();
    let new = step(body.into_inner(), 0, &mut e);
    let Some(new) = new.filter(|_| e.0.is_empty()) else {
        // One step here: name its fields plainly.
        let fields =
            e.0.into_iter()
                .map(|f| FieldError::new(f.field.trim_start_matches("steps[0]."), f.message))
                .collect();
        return Err(ApiError::validation(ValidationErrors(fields)));
    };
    let id = id.into_inner();
    if !store
        .add_step(principal.tenant_id.0, id, &new)
        .await
        .map_err(ApiError::internal)?
    {
        return Err(ApiError::not_found("campaign"));
    }
    Ok(HttpResponse::build(StatusCode::CREATED).json(found(&store, &principal, id).await?))
}

/// `POST /api/v1/campaigns/{id}/apply`: starts the campaign's sequence for each selected lead
/// (at most 500), skipping leads already in it and leads the first step cannot reach.
pub async fn apply(
    store: web::Data<CampaignStore>,
    sequences: web::Data<SequenceService>,
    leads: Service,
    clock: web::Data<Clock>,
    principal: Principal,
    id: web::Path<Uuid>,
    body: Json<ApplyRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let mut e = ValidationErrors::default();
    let status = e.check_opt(body.status, |s| LeadStatus::parse(&s));
    let tier = e.check_opt(body.tier, |t| Tier::parse(&t));
    let stage = e.check_opt(body.pipeline_stage, |s| PipelineStage::parse(&s));
    let tag = e.check_opt(body.tag, |t| Tag::parse(&t));
    let source = body.source.map(|s| s.trim().to_lowercase());
    let selects = body.lead_ids.is_some()
        || status.is_some()
        || tier.is_some()
        || stage.is_some()
        || tag.is_some()
        || source.is_some();
    if !selects && e.0.is_empty() {
        e.push(FieldError::new(
            "lead_ids",
            "give lead_ids or a filter (status, tier, source, pipeline_stage, tag)",
        ));
    }
    if !e.0.is_empty() {
        return Err(ApiError::validation(e));
    }
    let campaign = found(&store, &principal, id.into_inner()).await?;
    if campaign.status != "active" {
        return Err(ApiError::conflict(
            "CAMPAIGN_PAUSED",
            "a paused campaign applies to nobody",
        ));
    }
    let Some(first) = campaign.steps.first() else {
        return Err(ApiError::conflict(
            "CAMPAIGN_EMPTY",
            "add a step before applying the campaign",
        ));
    };
    let agent = match principal.lead_access() {
        LeadAccess::AssignedTo(agent) => Some(agent.0),
        LeadAccess::WholeTenant => None,
    };
    let selected: Vec<Uuid> = sqlx::query_scalar(
        "SELECT id FROM leads
          WHERE tenant_id = $1 AND ($2::uuid IS NULL OR assigned_to = $2) AND ($3::uuid[] IS NULL OR id = ANY($3))
            AND ($4::text IS NULL OR status = $4) AND ($5::text IS NULL OR tier = $5)
            AND ($6::text IS NULL OR pipeline_stage = $6) AND ($7::text IS NULL OR $7 = ANY(tags))
            AND ($8::text IS NULL OR source = $8)
          ORDER BY created_at LIMIT $9",
    )
    .bind(principal.tenant_id.0)
    .bind(agent)
    .bind(body.lead_ids)
    .bind(status.map(|s| s.as_str()))
    .bind(tier.map(|t| t.as_str()))
    .bind(stage.map(|s| s.as_str()))
    .bind(tag.as_ref().map(|t| t.as_str().to_string()))
    .bind(source)
    .bind(MAX_APPLY_LEADS)
    .fetch_all(sequences.pool())
    .await
    .map_err(ApiError::internal)?;
    let channel = |raw: &str| if raw == "email" { Channel::Email } else { Channel::Sms };
    let messages: Vec<PlannedMessage> = campaign
        .steps
        .iter()
        .map(|s| PlannedMessage {
            channel: channel(&s.channel),
            subject: s.subject.clone(),
            message: s.message.clone(),
        })
        .collect();
    let days: Vec<u32> = campaign.steps.iter().map(|s| s.day as u32).collect();
    let already: Vec<Uuid> = sqlx::query_scalar(
        "SELECT lead_id FROM sequences WHERE campaign_id = $1 AND status = 'active' AND lead_id = ANY($2)",
    )
    .bind(campaign.id)
    .bind(&selected)
    .fetch_all(sequences.pool())
    .await
    .map_err(ApiError::internal)?;
    let now = clock.now();
    let metadata = request_metadata(&principal, now, Some(format!("campaign:{}", campaign.id)));
    let (mut sequence_ids, mut skipped) = (vec![], vec![]);
    for lead_id in selected {
        if already.contains(&lead_id) {
            skipped.push(Skipped {
                lead_id,
                reason: "already in this campaign".into(),
            });
            continue;
        }
        let lead = leads.load(lead_id).await.map_err(command_error)?;
        if lead.erased || lead.address_for(channel(&first.channel)).is_none() {
            skipped.push(Skipped {
                lead_id,
                reason: format!("no address for {}", first.channel),
            });
            continue;
        }
        let command = SequenceCommand {
            tenant_id: principal.tenant_id,
            issued_at: now,
            action: SequenceAction::Start(StartSequence {
                sequence_id: Uuid::now_v7(),
                lead_id,
                sequence_type: "campaign".into(),
                channel: channel(&first.channel),
                days: days.clone(),
                messages: messages.clone(),
                campaign_id: Some(campaign.id),
            }),
        };
        let started = sequences.start(command, &metadata).await.map_err(|e| match e {
            SequenceFailure::Refused(refused) => ApiError::conflict("SEQUENCE_REFUSED", refused.to_string()),
            SequenceFailure::Store(e) => ApiError::internal(e),
        })?;
        sequence_ids.push(started);
    }
    Ok(HttpResponse::Ok().json(ApplyAnswer {
        campaign_id: campaign.id,
        applied: sequence_ids.len(),
        sequence_ids,
        skipped,
    }))
}

/// `GET /api/v1/campaigns/{id}/logs`.
pub async fn logs(
    store: web::Data<CampaignStore>,
    sequences: web::Data<SequenceService>,
    principal: Principal,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let campaign = found(&store, &principal, id.into_inner()).await?;
    let agent = match principal.lead_access() {
        LeadAccess::AssignedTo(agent) => Some(agent.0),
        LeadAccess::WholeTenant => None,
    };
    let data = sequences
        .list(principal.tenant_id.0, agent, None, None, Some(campaign.id))
        .await
        .map_err(ApiError::internal)?;
    Ok(HttpResponse::Ok().json(CampaignLogs {
        campaign_id: campaign.id,
        data,
    }))
}
