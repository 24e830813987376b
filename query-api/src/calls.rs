//! `GET /api/v1/calls` and `GET /api/v1/calls/{id}` (seeds 002, 003), from the calls read model.

use actix_web::{web, HttpResponse};
use chrono::{DateTime, Utc};
use leadstream_api_conventions::{ApiError, Principal};
use leadstream_domain::lead::LeadAccess;
use leadstream_domain::{FieldError, ValidationErrors};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sqlx::{PgPool, QueryBuilder};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::leads::respond;
use crate::paging::{fetch_page, Page};

const STATUSES: [&str; 4] = ["queued", "in_progress", "completed", "failed"];

const CALL_COLUMNS: &str = "c.id, c.tenant_id, c.lead_id, c.direction, c.phone, c.purpose, c.language, c.provider,
    c.provider_call_id, c.status, c.conversation_state, c.opening_message, c.end_reason, c.summary, c.analytics,
    c.created_at, c.started_at, c.ended_at, c.updated_at, c.version";

/// `GET /api/v1/calls` parameters.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CallListParams {
    #[schema(schema_with = leadstream_api_conventions::field_schema::id)]
    lead_id: Option<String>,
    /// `queued`, `in_progress`, `completed` or `failed`.
    #[schema(schema_with = leadstream_api_conventions::field_schema::call_status)]
    status: Option<String>,
    #[schema(minimum = 1, maximum = 1_000_000)]
    page: Option<u32>,
    #[schema(minimum = 1, maximum = 200)]
    limit: Option<u32>,
}

/// A call as the read model holds it.
#[derive(Debug, Serialize, sqlx::FromRow, ToSchema)]
pub struct CallRow {
    id: Uuid,
    tenant_id: Uuid,
    lead_id: Uuid,
    direction: String,
    phone: String,
    purpose: Option<String>,
    language: String,
    provider: String,
    provider_call_id: String,
    status: String,
    conversation_state: String,
    opening_message: Option<String>,
    end_reason: Option<String>,
    #[schema(value_type = Option<Object>)]
    summary: Option<Value>,
    #[schema(value_type = Option<Object>)]
    analytics: Option<Value>,
    created_at: DateTime<Utc>,
    started_at: Option<DateTime<Utc>>,
    ended_at: Option<DateTime<Utc>>,
    updated_at: DateTime<Utc>,
    version: i64,
}

/// A page of calls, newest first.
#[derive(Serialize, ToSchema)]
pub struct CallPage {
    data: Vec<CallRow>,
    total: i64,
    page: u32,
    limit: u32,
}

/// A call with its transcript.
#[derive(Serialize, ToSchema)]
pub struct CallDetail {
    #[serde(flatten)]
    call: CallRow,
    /// The turns in order: `customer_text`, `reply`, `analysis`, `conversation_state`.
    #[schema(value_type = Vec<Object>)]
    transcript: Value,
}

/// Restricts to the principal's tenant and, for an agent, to calls with its own leads.
fn scope(sql: &mut QueryBuilder<'_, sqlx::Postgres>, principal: &Principal) {
    sql.push(" FROM calls c WHERE c.tenant_id = ")
        .push_bind(principal.tenant_id.0);
    if let LeadAccess::AssignedTo(agent) = principal.lead_access() {
        sql.push(" AND EXISTS (SELECT 1 FROM leads l WHERE l.id = c.lead_id AND l.assigned_to = ")
            .push_bind(agent.0)
            .push(")");
    }
}

/// `GET /api/v1/calls`.
pub async fn list(
    pool: web::Data<PgPool>,
    principal: Principal,
    params: web::Query<CallListParams>,
) -> Result<HttpResponse, ApiError> {
    let params = params.into_inner();
    let mut e = ValidationErrors::default();
    let lead_id = e.check_opt(params.lead_id, |raw| {
        Uuid::parse_str(raw.trim()).map_err(|_| FieldError::new("lead_id", "must be an id (a UUID)"))
    });
    let status = e.check_opt(params.status, |raw| {
        let raw = raw.trim().to_lowercase();
        STATUSES
            .contains(&raw.as_str())
            .then_some(raw)
            .ok_or_else(|| FieldError::new("status", format!("use one of {}", STATUSES.join(", "))))
    });
    let paging = Page::parse(params.page, params.limit, &mut e);
    let Some(paging) = paging.filter(|_| e.0.is_empty()) else {
        return Err(ApiError::validation(e));
    };
    let filters = |sql: &mut QueryBuilder<'_, sqlx::Postgres>| {
        scope(sql, &principal);
        if let Some(lead_id) = lead_id {
            sql.push(" AND c.lead_id = ").push_bind(lead_id);
        }
        if let Some(status) = status.clone() {
            sql.push(" AND c.status = ").push_bind(status);
        }
    };
    let (data, total): (Vec<CallRow>, i64) = fetch_page(
        pool.get_ref(),
        CALL_COLUMNS,
        "c.created_at DESC, c.id DESC",
        paging,
        filters,
    )
    .await?;
    Ok(respond(CallPage {
        data,
        total,
        page: paging.page,
        limit: paging.limit,
    }))
}

/// `GET /api/v1/calls/{id}`: the call with its transcript.
pub async fn detail(
    pool: web::Data<PgPool>,
    principal: Principal,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let mut select = QueryBuilder::new(format!("SELECT {CALL_COLUMNS}, c.transcript"));
    scope(&mut select, &principal);
    select.push(" AND c.id = ").push_bind(id.into_inner());
    let row = select
        .build()
        .fetch_optional(pool.get_ref())
        .await
        .map_err(ApiError::internal)?
        .ok_or_else(|| ApiError::not_found("call"))?;
    let call = <CallRow as sqlx::FromRow<_>>::from_row(&row).map_err(ApiError::internal)?;
    let transcript: Value = sqlx::Row::try_get(&row, "transcript").map_err(ApiError::internal)?;
    Ok(respond(CallDetail { call, transcript }))
}
