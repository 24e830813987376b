//! Qualification: of a known lead with stated criteria, of a new inbound lead in one call, and
//! the hand-off of a lead to a CRM.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use leadstream_api_conventions::{ApiError, Json, Principal};
use leadstream_domain::lead::{CrmRoute, Enrichment, LeadAction, Qualification};
use serde::Serialize;
use std::time::Instant;
use utoipa::ToSchema;
use uuid::Uuid;

use super::command_response::{command_error, command_response};
use super::leads::{execute, visible_lead, Service};
use super::qualification_requests::*;
use crate::integrations::{CrmRequest, Integrations};

/// `POST /api/v1/leads/{id}/qualify`: records the stated criteria (merged with earlier ones),
/// enriches the lead and rescores it. Always appends `lead.qualified`.
pub async fn qualify_lead(
    service: Service,
    integrations: web::Data<Integrations>,
    principal: Principal,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: Json<QualifyLeadRequest>,
) -> Result<HttpResponse, ApiError> {
    let lead_id = id.into_inner();
    let criteria = body.into_inner().parse().map_err(ApiError::validation)?;
    let lead = service.load(lead_id).await.map_err(command_error)?;
    // Someone else's lead is refused by the command below; its data is not sent anywhere first.
    let enrichment = if lead.is_visible_to(principal.tenant_id, principal.lead_access()) {
        integrations.enrich(&lead.enrichment_input()).await
    } else {
        None
    };
    let action = LeadAction::Qualify(Box::new(Qualification { criteria, enrichment }));
    let outcome = execute(&service, &principal, &req, lead_id, action).await?;
    Ok(command_response(StatusCode::OK, outcome))
}

/// `POST /api/v1/qualify`: a new inbound lead, created, enriched and qualified in one append,
/// answered in seed 001's shape.
pub async fn qualify_new(
    service: Service,
    integrations: web::Data<Integrations>,
    principal: Principal,
    req: HttpRequest,
    body: QualifyRequest,
) -> Result<HttpResponse, ApiError> {
    let started = Instant::now();
    let lead_id = Uuid::now_v7();
    let (lead, criteria) = body.parse(lead_id).map_err(ApiError::validation)?;
    let enrichment = integrations.enrich(&lead.enrichment_input()).await;
    let action = LeadAction::CreateQualified {
        lead: Box::new(lead),
        qualification: Box::new(Qualification {
            criteria,
            enrichment: enrichment.clone(),
        }),
    };
    let outcome = execute(&service, &principal, &req, lead_id, action).await?;
    let card = outcome
        .lead
        .score_card
        .clone()
        .ok_or_else(|| ApiError::internal("a qualified lead has no score card"))?;
    let s = card.sub_scores;
    let answer = QualifyAnswer {
        id: lead_id,
        score: card.overall_score,
        tier: card.tier.as_str(),
        reasoning: card.reasoning,
        recommended_action: serde_json::to_value(card.recommended_action).map_err(ApiError::internal)?,
        enrichment,
        scoring_breakdown: ScoringBreakdown {
            company_fit: s.company_fit / 100.0,
            intent_signal: s.intent_signal / 100.0,
            budget_indicator: s.budget_indicator / 100.0,
            urgency: s.urgency / 100.0,
            engagement: s.engagement / 100.0,
        },
        conversion_probability: card.conversion_probability,
        processing_time_ms: started.elapsed().as_millis() as u64,
        created_at: outcome.lead.created_at,
        version: outcome.version,
        position: outcome.position,
    };
    let mut response = super::command_response::command_headers(StatusCode::OK, &outcome);
    response.insert_header(("location", format!("/api/v1/leads/{lead_id}")));
    Ok(response.json(answer))
}

/// `POST /api/v1/crm/sync`: sends the lead to the CRM and records `lead.routed` with the CRM's id.
pub async fn crm_sync(
    service: Service,
    integrations: web::Data<Integrations>,
    principal: Principal,
    req: HttpRequest,
    body: Json<CrmSyncRequest>,
) -> Result<HttpResponse, ApiError> {
    let sync = body.into_inner().parse().map_err(ApiError::validation)?;
    let lead = visible_lead(&service, &principal, sync.lead_id).await?;
    let request = CrmRequest {
        tenant_id: principal.tenant_id.0,
        lead_id: sync.lead_id,
        crm: sync.crm.to_string(),
        pipeline_id: sync.pipeline_id.as_ref().map(|p| p.as_str().to_string()),
        owner_email: sync.owner_email.as_ref().map(|e| e.as_str().to_string()),
        lead: serde_json::to_value(&lead).map_err(ApiError::internal)?,
    };
    let receipt = integrations.crm.push(&request).await.map_err(|error| {
        tracing::warn!(%error, crm = sync.crm, "CRM push failed");
        ApiError::new(
            StatusCode::BAD_GATEWAY,
            "CRM_UNAVAILABLE",
            format!("{} did not take the lead; retry later", sync.crm),
        )
    })?;
    let route = CrmRoute {
        crm: sync.crm.to_string(),
        pipeline_id: sync.pipeline_id,
        owner_email: sync.owner_email,
        external_id: receipt.external_id,
    };
    let outcome = execute(
        &service,
        &principal,
        &req,
        sync.lead_id,
        LeadAction::Route(Box::new(route)),
    )
    .await?;
    Ok(command_response(StatusCode::OK, outcome))
}

/// Seed 001's qualification answer.
#[derive(Serialize, ToSchema)]
pub struct QualifyAnswer {
    id: Uuid,
    /// The overall score, 0–100.
    score: f64,
    /// `HOT`, `WARM` or `COLD`.
    tier: &'static str,
    /// One sentence: why this tier.
    reasoning: String,
    /// `route_to_ae`, `add_to_nurture` or `add_to_marketing_automation`.
    #[schema(value_type = String)]
    recommended_action: serde_json::Value,
    /// What the enricher found; null fields are facts nobody knew.
    #[schema(value_type = Option<Object>)]
    enrichment: Option<Enrichment>,
    scoring_breakdown: ScoringBreakdown,
    /// 0–1.
    conversion_probability: f64,
    /// Measured: from the request's arrival to the committed events.
    processing_time_ms: u64,
    created_at: Option<chrono::DateTime<chrono::Utc>>,
    /// The lead's version (also in `ETag`).
    version: u64,
    /// The global position of the last event (also in `X-Event-Position`).
    position: Option<i64>,
}

/// Sub-scores as fractions, 0–1.
#[derive(Serialize, ToSchema)]
pub struct ScoringBreakdown {
    company_fit: f64,
    intent_signal: f64,
    budget_indicator: f64,
    urgency: f64,
    engagement: f64,
}
