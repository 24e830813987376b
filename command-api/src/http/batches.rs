//! `POST /api/v1/batch/qualify` and `GET /api/v1/batch/{id}/status`.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use leadstream_api_conventions::{parse_json, read_body, ApiError, Principal};
use leadstream_domain::batch::{BatchAction, BatchCommand, BatchError, SubmitBatch};
use leadstream_domain::lead::LeadAccess;
use leadstream_domain::{FieldError, ValidationErrors};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

use super::command_response::request_metadata;
use crate::batch::{BatchJobs, Priority};

/// What a batch may hold, and how large its body may be.
#[derive(Debug, Clone, Copy)]
pub struct BatchLimits {
    /// The most leads in one batch (seed 001's plans: 25, 500, 5,000).
    pub max_leads: usize,
}

impl BatchLimits {
    /// Room for `max_leads` leads of a few kilobytes each.
    fn max_body_bytes(self) -> usize {
        64 * 1024 + self.max_leads * 4 * 1024
    }
}

/// `POST /api/v1/batch/qualify` (seed 001).
#[derive(Debug, Deserialize, ToSchema)]
pub struct BatchQualifyRequest {
    /// Each lead shaped like the body of `POST /api/v1/qualify`; one the worker cannot qualify
    /// is reported as a failed item, not refused here.
    #[schema(schema_with = leadstream_api_conventions::field_schema::objects, required = true)]
    leads: Option<Vec<Value>>,
    /// Recorded on `batch.submitted` and `batch.completed` for the webhook subscriber.
    #[schema(schema_with = leadstream_api_conventions::field_schema::http_url_or_null)]
    webhook_url: Option<String>,
    /// `low`, `normal` (the default) or `high`.
    #[schema(schema_with = leadstream_api_conventions::field_schema::priority_or_null)]
    priority: Option<String>,
}

/// The answer to a submitted batch.
#[derive(Serialize, ToSchema)]
pub struct BatchAccepted {
    batch_id: Uuid,
    total_leads: usize,
    /// `processing`.
    status: &'static str,
    estimated_completion_seconds: u64,
    status_url: String,
}

/// `POST /api/v1/batch/qualify`: keeps the items, records `batch.submitted` and answers 202;
/// the worker does the rest.
pub async fn submit(
    jobs: web::Data<BatchJobs>,
    store: web::Data<crate::batch::BatchEventStore>,
    limits: web::Data<BatchLimits>,
    clock: web::Data<crate::clock::Clock>,
    principal: Principal,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let body = read_body(payload, limits.max_body_bytes()).await?;
    let request: BatchQualifyRequest = parse_json(&body)?;
    let mut e = ValidationErrors::default();
    let leads = e.check(match request.leads {
        None => Err(FieldError::new("leads", "is required")),
        Some(leads) if leads.is_empty() => Err(FieldError::new("leads", "must hold at least one lead")),
        Some(leads) if leads.len() > limits.max_leads => Err(FieldError::new(
            "leads",
            format!(
                "holds {} leads; a batch holds at most {}",
                leads.len(),
                limits.max_leads
            ),
        )),
        Some(leads) => match leads.iter().position(|lead| !lead.is_object()) {
            Some(index) => Err(FieldError::new(format!("leads[{index}]"), "must be an object")),
            None => Ok(leads),
        },
    });
    let priority = e.check(match request.priority.as_deref() {
        None => Ok(Priority::Normal),
        Some(raw) => Priority::parse(raw).ok_or_else(|| FieldError::new("priority", "must be low, normal or high")),
    });
    let webhook_url = e.check_opt(request.webhook_url, |raw| {
        let raw = raw.trim().to_string();
        let valid =
            (raw.starts_with("https://") || raw.starts_with("http://")) && raw.len() <= 2048 && !raw.contains(' ');
        if valid {
            Ok(raw)
        } else {
            Err(FieldError::new(
                "webhook_url",
                "must be an http(s) URL of at most 2,048 characters",
            ))
        }
    });
    let (Some(leads), Some(priority)) = (leads, priority) else {
        return Err(ApiError::validation(e));
    };
    if !e.0.is_empty() {
        return Err(ApiError::validation(e));
    }

    let batch_id = Uuid::now_v7();
    let agent = match principal.lead_access() {
        LeadAccess::AssignedTo(agent) => Some(agent.0),
        LeadAccess::WholeTenant => None,
    };
    jobs.enqueue(batch_id, principal.tenant_id.0, agent, priority, &leads)
        .await
        .map_err(ApiError::internal)?;
    let issued_at = clock.now();
    let command = BatchCommand {
        tenant_id: principal.tenant_id,
        issued_at,
        action: BatchAction::Submit(SubmitBatch {
            batch_id,
            total: leads.len() as u32,
            submitted_by: principal.actor.clone(),
            priority: priority.as_str().to_string(),
            webhook_url,
        }),
    };
    let events = leadstream_domain::batch::Batch::default()
        .decide(&command)
        .map_err(|e: BatchError| ApiError::internal(e))?;
    // A new stream: sequence 0, nothing to load.
    let metadata = request_metadata(&principal, issued_at, Some(format!("batch:{batch_id}")));
    let context = cqrs_es::persist::EventStoreAggregateContext {
        aggregate_id: batch_id.to_string(),
        aggregate: Default::default(),
        current_sequence: 0,
        current_snapshot: None,
    };
    cqrs_es::EventStore::commit(&**store, events, context, metadata.to_map())
        .await
        .map_err(ApiError::internal)?;
    jobs.wake();
    let status_url = format!("/api/v1/batch/{batch_id}/status");
    Ok(HttpResponse::build(StatusCode::ACCEPTED)
        .insert_header(("location", status_url.clone()))
        .json(BatchAccepted {
            batch_id,
            total_leads: leads.len(),
            status: "processing",
            // About 20 ms per lead on a small machine, rounded up.
            estimated_completion_seconds: (leads.len() as u64 * 20).div_ceil(1000),
            status_url,
        }))
}

/// `GET /api/v1/batch/{id}/status`: progress and results, exact at the moment of the call.
pub async fn status(
    jobs: web::Data<BatchJobs>,
    principal: Principal,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let batch_id = id.into_inner();
    let status = jobs
        .status(batch_id)
        .await
        .map_err(ApiError::internal)?
        .filter(|s| s.tenant_id == principal.tenant_id.0)
        .ok_or_else(|| ApiError::not_found("batch"))?;
    // An agent sees the batches it submitted, as it sees the leads they made.
    if let LeadAccess::AssignedTo(agent) = principal.lead_access() {
        if jobs.agent_of(batch_id).await.map_err(ApiError::internal)? != Some(agent.0) {
            return Err(ApiError::not_found("batch"));
        }
    }
    Ok(HttpResponse::Ok().json(status))
}
