//! `GET /api/v1/appointments`, `/appointments/{id}` and `/appointments/available-slots`
//! (seeds 002, 003), from the appointments read model and the tenant's business hours.

use actix_web::{web, HttpResponse};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use leadstream_api_conventions::{ApiError, Principal};
use leadstream_domain::appointment::{
    available_slots, AppointmentStatus, BusinessHours, OpeningHours, Slot, SlotQuery,
};
use leadstream_domain::lead::LeadAccess;
use leadstream_domain::{FieldError, ValidationErrors};
use serde::{Deserialize, Serialize};
use sqlx::{PgPool, QueryBuilder};
use std::collections::BTreeMap;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::leads::respond;
use crate::paging::{fetch_page, Page};

/// The longest stretch one slot search covers.
const MAX_SLOT_DAYS: i64 = 31;

const COLUMNS: &str = "a.id, a.tenant_id, a.lead_id, a.agent_id, a.starts_at AS scheduled_date, a.ends_at,
    a.duration_minutes AS duration, a.appointment_type AS type, a.status, a.notes, a.location,
    a.reminders_minutes_before, a.reminders_sent, a.cancel_reason, a.created_at, a.updated_at, a.version";

/// `GET /api/v1/appointments` parameters.
#[derive(Debug, Deserialize, ToSchema)]
pub struct AppointmentListParams {
    #[schema(schema_with = leadstream_api_conventions::field_schema::id)]
    lead_id: Option<String>,
    #[schema(schema_with = leadstream_api_conventions::field_schema::id)]
    agent_id: Option<String>,
    /// `scheduled`, `confirmed`, `completed`, `cancelled` or `no_show`.
    #[schema(schema_with = leadstream_api_conventions::field_schema::appointment_status)]
    status: Option<String>,
    /// Appointments starting at or after (RFC 3339 or a date); `start_date` also read.
    #[serde(alias = "start_date")]
    #[schema(schema_with = leadstream_api_conventions::field_schema::instant)]
    date_from: Option<String>,
    /// Appointments starting before (RFC 3339, or a date: the end of that day); `end_date` also read.
    #[serde(alias = "end_date")]
    #[schema(schema_with = leadstream_api_conventions::field_schema::instant)]
    date_to: Option<String>,
    #[schema(minimum = 1, maximum = 1_000_000)]
    page: Option<u32>,
    #[schema(minimum = 1, maximum = 200)]
    limit: Option<u32>,
}

/// `GET /api/v1/appointments/available-slots` parameters.
#[derive(Debug, Deserialize, ToSchema)]
pub struct SlotParams {
    /// One local date (YYYY-MM-DD), or `date_from`/`date_to`; one search covers at most 31 days
    /// (a longer range is answered for its first 31, as the answer's `date_to` says).
    #[schema(schema_with = leadstream_api_conventions::field_schema::date)]
    date: Option<String>,
    #[schema(schema_with = leadstream_api_conventions::field_schema::date)]
    date_from: Option<String>,
    #[schema(schema_with = leadstream_api_conventions::field_schema::date)]
    date_to: Option<String>,
    /// Minutes; default 30.
    #[schema(minimum = 5, maximum = 480)]
    duration: Option<u32>,
    /// Minutes between slot starts; default the duration.
    #[schema(minimum = 5, maximum = 480)]
    step: Option<u32>,
    /// Whose bookings to avoid; default the caller.
    #[schema(schema_with = leadstream_api_conventions::field_schema::id)]
    agent_id: Option<String>,
}

/// An appointment as the read model holds it.
#[derive(Debug, Serialize, sqlx::FromRow, ToSchema)]
pub struct AppointmentRow {
    id: Uuid,
    tenant_id: Uuid,
    lead_id: Uuid,
    agent_id: Uuid,
    scheduled_date: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    duration: i32,
    #[serde(rename = "type")]
    #[sqlx(rename = "type")]
    appointment_type: String,
    status: String,
    notes: Option<String>,
    location: Option<String>,
    reminders_minutes_before: Vec<i32>,
    reminders_sent: i32,
    cancel_reason: Option<String>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    version: i64,
}

/// A page of appointments, soonest first.
#[derive(Serialize, ToSchema)]
pub struct AppointmentPage {
    data: Vec<AppointmentRow>,
    total: i64,
    page: u32,
    limit: u32,
}

/// The free slots in the tenant's business hours.
#[derive(Serialize, ToSchema)]
pub struct SlotList {
    timezone: String,
    agent_id: Uuid,
    duration: u32,
    /// The first local date searched.
    #[schema(value_type = String, format = Date)]
    date_from: chrono::NaiveDate,
    /// The last local date searched: `date_to` as asked, or the 31st day when more were asked.
    #[schema(value_type = String, format = Date)]
    date_to: chrono::NaiveDate,
    #[schema(value_type = Object)]
    business_hours: BTreeMap<String, OpeningHours>,
    #[schema(value_type = Vec<Object>)]
    slots: Vec<Slot>,
}

fn uuid(field: &str, raw: &str) -> Result<Uuid, FieldError> {
    Uuid::parse_str(raw.trim()).map_err(|_| FieldError::new(field, "must be an id (a UUID)"))
}

fn date(field: &str, raw: &str) -> Result<NaiveDate, FieldError> {
    NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d").map_err(|_| FieldError::new(field, "must be a date, YYYY-MM-DD"))
}

/// An instant, or a date read as the start (or, `end`, the end) of that day in UTC.
fn instant(field: &str, raw: &str, end: bool) -> Result<DateTime<Utc>, FieldError> {
    if let Ok(t) = DateTime::parse_from_rfc3339(raw.trim()) {
        return Ok(t.with_timezone(&Utc));
    }
    let day = date(field, raw).map_err(|_| FieldError::new(field, "must be an RFC 3339 time or a date"))?;
    let day = if end { day + Duration::days(1) } else { day };
    Ok(day.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc())
}

/// The principal's tenant and, for an agent, its own appointments and its leads'.
fn scope(sql: &mut QueryBuilder<'_, sqlx::Postgres>, principal: &Principal) {
    sql.push(" FROM appointments a WHERE a.tenant_id = ")
        .push_bind(principal.tenant_id.0);
    if let LeadAccess::AssignedTo(agent) = principal.lead_access() {
        sql.push(" AND (a.agent_id = ")
            .push_bind(agent.0)
            .push(" OR EXISTS (SELECT 1 FROM leads l WHERE l.id = a.lead_id AND l.assigned_to = ")
            .push_bind(agent.0)
            .push("))");
    }
}

/// `GET /api/v1/appointments`.
pub async fn list(
    pool: web::Data<PgPool>,
    principal: Principal,
    params: web::Query<AppointmentListParams>,
) -> Result<HttpResponse, ApiError> {
    let params = params.into_inner();
    let mut e = ValidationErrors::default();
    let lead_id = e.check_opt(params.lead_id, |raw| uuid("lead_id", &raw));
    let agent_id = e.check_opt(params.agent_id, |raw| uuid("agent_id", &raw));
    let status = e.check_opt(params.status, |raw| {
        AppointmentStatus::parse(&raw)
            .map(|s| s.as_str())
            .ok_or_else(|| FieldError::new("status", "use scheduled, confirmed, completed, cancelled or no_show"))
    });
    let from = e.check_opt(params.date_from, |raw| instant("date_from", &raw, false));
    let to = e.check_opt(params.date_to, |raw| instant("date_to", &raw, true));
    let paging = Page::parse(params.page, params.limit, &mut e);
    let Some(paging) = paging.filter(|_| e.0.is_empty()) else {
        return Err(ApiError::validation(e));
    };
    let filters = |sql: &mut QueryBuilder<'_, sqlx::Postgres>| {
        scope(sql, &principal);
        if let Some(v) = lead_id {
            sql.push(" AND a.lead_id = ").push_bind(v);
        }
        if let Some(v) = agent_id {
            sql.push(" AND a.agent_id = ").push_bind(v);
        }
        if let Some(v) = status {
            sql.push(" AND a.status = ").push_bind(v);
        }
        if let Some(v) = from {
            sql.push(" AND a.starts_at >= ").push_bind(v);
        }
        if let Some(v) = to {
            sql.push(" AND a.starts_at < ").push_bind(v);
        }
    };
    let (data, total): (Vec<AppointmentRow>, i64) =
        fetch_page(pool.get_ref(), COLUMNS, "a.starts_at, a.id", paging, filters).await?;
    Ok(respond(AppointmentPage {
        data,
        total,
        page: paging.page,
        limit: paging.limit,
    }))
}

/// `GET /api/v1/appointments/{id}`.
pub async fn detail(
    pool: web::Data<PgPool>,
    principal: Principal,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let mut select = QueryBuilder::new(format!("SELECT {COLUMNS}"));
    scope(&mut select, &principal);
    select.push(" AND a.id = ").push_bind(id.into_inner());
    let row: AppointmentRow = select
        .build_query_as()
        .fetch_optional(pool.get_ref())
        .await
        .map_err(ApiError::internal)?
        .ok_or_else(|| ApiError::not_found("appointment"))?;
    Ok(respond(row))
}

/// `GET /api/v1/appointments/available-slots`: slots within the tenant's business hours, in
/// its time zone, that overlap none of the agent's open appointments.
pub async fn available_slots_for(
    pool: web::Data<PgPool>,
    principal: Principal,
    params: web::Query<SlotParams>,
) -> Result<HttpResponse, ApiError> {
    let params = params.into_inner();
    let mut e = ValidationErrors::default();
    let one = e.check_opt(params.date, |raw| date("date", &raw));
    let from = e.check_opt(params.date_from, |raw| date("date_from", &raw));
    let to = e.check_opt(params.date_to, |raw| date("date_to", &raw));
    let agent = e
        .check_opt(params.agent_id, |raw| uuid("agent_id", &raw))
        .unwrap_or(principal.user_id);
    let duration = e.check(match params.duration.unwrap_or(30) {
        d @ 5..=480 => Ok(d),
        _ => Err(FieldError::new("duration", "must be 5 to 480 minutes")),
    });
    let step = e.check(match params.step.or(duration).unwrap_or(30) {
        s @ 5..=480 => Ok(s),
        _ => Err(FieldError::new("step", "must be 5 to 480 minutes")),
    });
    let today = Utc::now().date_naive();
    let (from, to) = match (one, from, to) {
        (Some(day), _, _) => (day, day),
        (None, Some(from), Some(to)) => (from, to),
        (None, Some(from), None) => (from, from + Duration::days(6)),
        (None, None, Some(to)) => (today, to),
        (None, None, None) => (today, today + Duration::days(6)),
    };
    // One search covers at most MAX_SLOT_DAYS days: a longer range is answered for its first
    // ones (the answer says which), and a range that ends before it starts holds no slot.
    let to = to.min(from + Duration::days(MAX_SLOT_DAYS - 1));
    let (Some(duration), Some(step)) = (duration, step) else {
        return Err(ApiError::validation(e));
    };
    if !e.0.is_empty() {
        return Err(ApiError::validation(e));
    }
    if let LeadAccess::AssignedTo(me) = principal.lead_access() {
        if agent != me.0 {
            return Err(ApiError::forbidden("agents see their own availability only"));
        }
    }
    let stored: Option<(String, serde_json::Value)> =
        sqlx::query_as("SELECT timezone, days FROM business_hours WHERE tenant_id = $1")
            .bind(principal.tenant_id.0)
            .fetch_optional(pool.get_ref())
            .await
            .map_err(ApiError::internal)?;
    let hours = stored
        .and_then(|(tz, days)| {
            let days: BTreeMap<String, OpeningHours> = serde_json::from_value(days).ok()?;
            BusinessHours::parse(&tz, &days).ok()
        })
        .unwrap_or_default();
    // A day either side covers every time zone's local days.
    let window_start = (from - Duration::days(1))
        .and_hms_opt(0, 0, 0)
        .unwrap_or_default()
        .and_utc();
    let window_end = (to + Duration::days(2))
        .and_hms_opt(0, 0, 0)
        .unwrap_or_default()
        .and_utc();
    let busy: Vec<(DateTime<Utc>, DateTime<Utc>)> = sqlx::query_as(
        "SELECT starts_at, ends_at FROM appointments
          WHERE tenant_id = $1 AND agent_id = $2 AND status IN ('scheduled', 'confirmed')
            AND starts_at < $4 AND ends_at > $3",
    )
    .bind(principal.tenant_id.0)
    .bind(agent)
    .bind(window_start)
    .bind(window_end)
    .fetch_all(pool.get_ref())
    .await
    .map_err(ApiError::internal)?;
    let query = SlotQuery {
        from,
        to,
        duration_minutes: duration,
        step_minutes: step,
        not_before: Utc::now(),
        limit: 500,
    };
    let slots = available_slots(&hours, &query, &busy);
    Ok(HttpResponse::Ok().json(SlotList {
        timezone: hours.timezone.name().to_string(),
        agent_id: agent,
        duration,
        date_from: from,
        date_to: to,
        business_hours: hours.opening_hours(),
        slots,
    }))
}
