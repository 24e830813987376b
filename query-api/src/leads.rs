//! Lead queries: the filtered list and one lead with its recent activities.

use actix_web::{web, HttpResponse};
use chrono::{DateTime, Utc};
use leadstream_api_conventions::{ApiError, Principal};
use leadstream_domain::lead::LeadAccess;
use serde::Serialize;
use serde_json::Value;
use sqlx::{PgPool, QueryBuilder};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::lead_list_query::{Cursor, ListLeadsParams, PageStart};

/// How many recent activities a lead's detail shows.
const RECENT_ACTIVITIES: i64 = 10;

const LEAD_COLUMNS: &str = "id, tenant_id, name, first_name, last_name, email, phone, company, title, industry, source,
    message, notes, tags, metadata, status, pipeline_stage, score, tier, qualification, criteria, enrichment, assigned_to,
    activity_count, created_at, updated_at, version";

/// A lead as the read model holds it.
#[derive(Debug, Serialize, sqlx::FromRow, ToSchema)]
#[schema(as = Lead)]
pub struct LeadRow {
    id: Uuid,
    tenant_id: Uuid,
    name: Option<String>,
    first_name: Option<String>,
    last_name: Option<String>,
    email: Option<String>,
    phone: Option<String>,
    company: Option<String>,
    title: Option<String>,
    industry: Option<String>,
    source: String,
    message: Option<String>,
    notes: Option<String>,
    tags: Vec<String>,
    #[schema(value_type = Object)]
    metadata: Value,
    status: String,
    pipeline_stage: String,
    /// The overall score from the scoring engine, 0–100.
    score: Option<f64>,
    /// `HOT` (≥ 80), `WARM` (50–79) or `COLD` (< 50).
    tier: Option<String>,
    /// The latest score card: sub-scores, factors, reasoning, recommended action, weights version.
    #[schema(value_type = Option<Object>)]
    qualification: Option<Value>,
    /// What people stated when they qualified the lead: `budget`, `timeline`, `decision_maker`.
    #[schema(value_type = Option<Object>)]
    criteria: Option<Value>,
    /// What the enricher found (null fields: nobody knew).
    #[schema(value_type = Option<Object>)]
    enrichment: Option<Value>,
    assigned_to: Option<Uuid>,
    activity_count: i32,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    version: i64,
}

/// One entry of a lead's timeline.
#[derive(Debug, Serialize, sqlx::FromRow, ToSchema)]
#[schema(as = Activity)]
pub struct ActivityRow {
    sequence: i64,
    activity_type: String,
    description: Option<String>,
    #[schema(value_type = Object)]
    metadata: Value,
    occurred_at: DateTime<Utc>,
}

/// One page of leads. `page`/`per_page` and `skip`/`limit` describe the same page; with a
/// cursor, `skip` and `page` are null and `next_cursor` continues.
#[derive(Serialize, ToSchema)]
pub struct LeadPage {
    data: Vec<LeadRow>,
    total: i64,
    limit: u32,
    skip: Option<u64>,
    page: Option<u64>,
    per_page: u32,
    next_cursor: Option<String>,
}

/// A lead with its most recent activities, newest first.
#[derive(Serialize, ToSchema)]
pub struct LeadDetail {
    #[serde(flatten)]
    lead: LeadRow,
    activities: Vec<ActivityRow>,
}

pub(crate) fn respond(body: impl Serialize) -> HttpResponse {
    HttpResponse::Ok().json(body)
}

/// `GET /api/v1/leads`.
pub async fn list(
    pool: web::Data<PgPool>,
    principal: Principal,
    params: web::Query<ListLeadsParams>,
) -> Result<HttpResponse, ApiError> {
    let params = params.into_inner();
    let query = params.parse().map_err(ApiError::validation)?;

    let mut count = QueryBuilder::new("SELECT count(*) FROM leads");
    query.push_filters(&mut count, principal.tenant_id, principal.lead_access());
    let total: i64 = count
        .build_query_scalar()
        .fetch_one(pool.get_ref())
        .await
        .map_err(ApiError::internal)?;

    let mut select = QueryBuilder::new(format!("SELECT {LEAD_COLUMNS} FROM leads"));
    query.push_filters(&mut select, principal.tenant_id, principal.lead_access());
    query.push_page(&mut select);
    let mut rows: Vec<LeadRow> = select
        .build_query_as()
        .fetch_all(pool.get_ref())
        .await
        .map_err(ApiError::internal)?;
    let has_more = rows.len() > query.limit as usize;
    rows.truncate(query.limit as usize);
    let next_cursor = rows.last().filter(|_| has_more).map(|last| {
        Cursor {
            created_at: last.created_at,
            id: last.id,
        }
        .encode()
    });
    let skip = match query.start {
        PageStart::Offset(skip) => Some(skip),
        PageStart::After(_) => None,
    };
    Ok(respond(LeadPage {
        data: rows,
        total,
        limit: query.limit,
        skip,
        page: skip.map(|s| s / u64::from(query.limit) + 1),
        per_page: query.limit,
        next_cursor,
    }))
}

/// `GET /api/v1/leads/{id}`: the lead and its last activities, newest first.
pub async fn detail(
    pool: web::Data<PgPool>,
    principal: Principal,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    // An agent asking for a lead not assigned to it learns nothing: it is "not found".
    let assignee = match principal.lead_access() {
        LeadAccess::WholeTenant => None,
        LeadAccess::AssignedTo(agent) => Some(agent.0),
    };
    let lead: LeadRow = sqlx::query_as(&format!(
        "SELECT {LEAD_COLUMNS} FROM leads WHERE id = $1 AND tenant_id = $2 AND ($3::uuid IS NULL OR assigned_to = $3)"
    ))
    .bind(id.into_inner())
    .bind(principal.tenant_id.0)
    .bind(assignee)
    .fetch_optional(pool.get_ref())
    .await
    .map_err(ApiError::internal)?
    .ok_or_else(|| ApiError::not_found("lead"))?;
    let activities: Vec<ActivityRow> = sqlx::query_as(
        "SELECT sequence, activity_type, description, metadata, occurred_at FROM lead_activities
          WHERE lead_id = $1 ORDER BY sequence DESC LIMIT $2",
    )
    .bind(lead.id)
    .bind(RECENT_ACTIVITIES)
    .fetch_all(pool.get_ref())
    .await
    .map_err(ApiError::internal)?;
    Ok(respond(LeadDetail { lead, activities }))
}
