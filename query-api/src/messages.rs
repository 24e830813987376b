//! `GET /api/v1/sms` and `GET /api/v1/emails`: the messages sent to the tenant's leads, from
//! the leads' timelines.

use actix_web::{web, HttpResponse};
use chrono::{DateTime, Utc};
use leadstream_api_conventions::{ApiError, Principal};
use leadstream_domain::lead::{Channel, LeadAccess};
use leadstream_domain::{FieldError, ValidationErrors};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sqlx::{PgPool, QueryBuilder};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::leads::respond;
use crate::paging::{fetch_page, Page};

/// Query parameters of the message lists (seed 002).
#[derive(Debug, Deserialize, ToSchema)]
pub struct MessageListParams {
    #[schema(schema_with = leadstream_api_conventions::field_schema::id)]
    lead_id: Option<String>,
    /// `sent` (delivery receipts are not tracked yet).
    #[schema(schema_with = leadstream_api_conventions::field_schema::sent)]
    status: Option<String>,
    #[schema(minimum = 1, maximum = 1_000_000)]
    page: Option<u32>,
    #[schema(minimum = 1, maximum = 200)]
    limit: Option<u32>,
}

/// One sent message.
#[derive(Debug, Serialize, ToSchema)]
pub struct MessageRow {
    id: Option<Uuid>,
    lead_id: Uuid,
    channel: String,
    to: Option<String>,
    subject: Option<String>,
    body: Option<String>,
    status: String,
    provider: Option<String>,
    provider_message_id: Option<String>,
    sent_at: DateTime<Utc>,
}

/// A page of messages, newest first.
#[derive(Serialize, ToSchema)]
pub struct MessagePage {
    data: Vec<MessageRow>,
    total: i64,
    page: u32,
    limit: u32,
}

/// `GET /api/v1/sms`.
pub async fn list_sms(
    pool: web::Data<PgPool>,
    principal: Principal,
    params: web::Query<MessageListParams>,
) -> Result<HttpResponse, ApiError> {
    list(&pool, &principal, params.into_inner(), Channel::Sms).await
}

/// `GET /api/v1/emails`.
pub async fn list_emails(
    pool: web::Data<PgPool>,
    principal: Principal,
    params: web::Query<MessageListParams>,
) -> Result<HttpResponse, ApiError> {
    list(&pool, &principal, params.into_inner(), Channel::Email).await
}

async fn list(
    pool: &PgPool,
    principal: &Principal,
    params: MessageListParams,
    channel: Channel,
) -> Result<HttpResponse, ApiError> {
    let mut e = ValidationErrors::default();
    let lead_id = e.check_opt(params.lead_id, |raw| {
        Uuid::parse_str(raw.trim()).map_err(|_| FieldError::new("lead_id", "must be a lead id (a UUID)"))
    });
    e.check_opt(params.status, |raw| match raw.trim() {
        "sent" => Ok(()),
        _ => Err(FieldError::new("status", "only `sent` is tracked")),
    });
    let paging = Page::parse(params.page, params.limit, &mut e);
    let Some(paging) = paging.filter(|_| e.0.is_empty()) else {
        return Err(ApiError::validation(e));
    };
    let Page { page, limit } = paging;

    let filters = |sql: &mut QueryBuilder<'_, sqlx::Postgres>| {
        sql.push(" FROM lead_activities a JOIN leads l ON l.id = a.lead_id WHERE a.tenant_id = ")
            .push_bind(principal.tenant_id.0)
            .push(" AND a.activity_type = ")
            .push_bind(channel.activity_type());
        if let LeadAccess::AssignedTo(agent) = principal.lead_access() {
            sql.push(" AND l.assigned_to = ").push_bind(agent.0);
        }
        if let Some(lead_id) = lead_id {
            sql.push(" AND a.lead_id = ").push_bind(lead_id);
        }
    };
    let (rows, total): (Vec<(Uuid, Value, DateTime<Utc>)>, i64) = fetch_page(
        pool,
        "a.lead_id, a.metadata, a.occurred_at",
        "a.occurred_at DESC, a.lead_id, a.sequence DESC",
        paging,
        filters,
    )
    .await?;
    let text = |m: &Value, key: &str| m.get(key).and_then(Value::as_str).map(str::to_string);
    let data = rows
        .into_iter()
        .map(|(lead_id, m, sent_at)| MessageRow {
            id: text(&m, "message_id").and_then(|id| Uuid::parse_str(&id).ok()),
            lead_id,
            channel: channel.as_str().to_string(),
            to: text(&m, "to"),
            subject: text(&m, "subject"),
            body: text(&m, "body"),
            status: text(&m, "status").unwrap_or_else(|| "sent".to_string()),
            provider: text(&m, "provider"),
            provider_message_id: text(&m, "provider_message_id"),
            sent_at,
        })
        .collect();
    Ok(respond(MessagePage {
        data,
        total,
        page,
        limit,
    }))
}
