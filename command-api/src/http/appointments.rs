//! `POST /api/v1/appointments`, `PUT`/`DELETE /api/v1/appointments/{id}`, `/{id}/remind`
//! (seeds 002, 003) and the tenant's business hours.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use chrono::{DateTime, Utc};
use leadstream_api_conventions::{ApiError, Json, OptionalJson, Principal};
use leadstream_domain::appointment::{
    Appointment, AppointmentAction, AppointmentError, AppointmentStatus, BusinessHours, OpeningHours, ReminderTrigger,
    ScheduleAppointment, DEFAULT_REMINDERS_MINUTES,
};
use leadstream_domain::lead::{Channel, LeadAccess};
use leadstream_domain::values::{AgentId, LongText, ShortText};
use leadstream_domain::{FieldError, ValidationErrors};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::BTreeMap;
use utoipa::ToSchema;
use uuid::Uuid;

use super::calls::slug;
use super::command_response::{command_error, request_metadata, EVENT_POSITION_HEADER};
use super::lead_requests::{required_field, uuid_field};
use super::leads::{ensure_active_agent, no_address, visible_lead, Service};
use crate::appointments::{
    send_reminder, AppointmentFailure, AppointmentService, BusinessHoursStore, Reminder, ReminderFailure,
};
use crate::clock::Clock;
use crate::identity::IdentityService;
use crate::integrations::Integrations;
use crate::{Executed, LeadFollowUps};

/// `POST /api/v1/appointments`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateAppointmentRequest {
    #[schema(schema_with = leadstream_api_conventions::field_schema::id, required = true)]
    lead_id: Option<String>,
    /// Who meets the lead; default the lead's agent, else the caller.
    #[schema(schema_with = leadstream_api_conventions::field_schema::id_or_null)]
    agent_id: Option<String>,
    /// RFC 3339 (seed 002's `scheduled_date`; `starts_at` also read).
    #[serde(alias = "starts_at", alias = "start_time")]
    #[schema(schema_with = leadstream_api_conventions::field_schema::date_time, required = true)]
    scheduled_date: Option<String>,
    /// Minutes, 5–480; default 30.
    #[serde(alias = "duration_minutes")]
    #[schema(minimum = 5, maximum = 480)]
    duration: Option<u32>,
    /// A slug such as `consultation` (the default) or `property_visit`.
    #[serde(rename = "type", alias = "appointment_type")]
    #[schema(schema_with = leadstream_api_conventions::field_schema::slug_or_null)]
    appointment_type: Option<String>,
    #[schema(schema_with = leadstream_api_conventions::field_schema::long_text_or_null)]
    notes: Option<String>,
    #[schema(schema_with = leadstream_api_conventions::field_schema::short_text_or_null)]
    location: Option<String>,
    /// Minutes before the start; default a day and an hour (1440, 60).
    reminders_minutes_before: Option<Vec<u32>>,
}

/// `PUT /api/v1/appointments/{id}`: move it, change what it is about, or its status.
#[derive(Debug, Deserialize, ToSchema)]
pub struct UpdateAppointmentRequest {
    #[serde(alias = "starts_at", alias = "start_time")]
    #[schema(schema_with = leadstream_api_conventions::field_schema::date_time_or_null)]
    scheduled_date: Option<String>,
    #[serde(alias = "duration_minutes")]
    #[schema(minimum = 5, maximum = 480)]
    duration: Option<u32>,
    /// `confirmed`, `completed`, `cancelled` or `no_show`.
    #[schema(schema_with = leadstream_api_conventions::field_schema::appointment_change_or_null)]
    status: Option<String>,
    #[serde(rename = "type", alias = "appointment_type")]
    #[schema(schema_with = leadstream_api_conventions::field_schema::slug_or_null)]
    appointment_type: Option<String>,
    #[schema(schema_with = leadstream_api_conventions::field_schema::long_text_or_null)]
    notes: Option<String>,
    #[schema(schema_with = leadstream_api_conventions::field_schema::short_text_or_null)]
    location: Option<String>,
    /// Why, when cancelling.
    #[schema(schema_with = leadstream_api_conventions::field_schema::short_text_or_null)]
    reason: Option<String>,
}

/// `POST /api/v1/appointments/{id}/remind`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct RemindRequest {
    /// `sms` (default when the lead has a phone) or `email`.
    #[serde(alias = "channel")]
    #[schema(schema_with = leadstream_api_conventions::field_schema::channel_or_null)]
    method: Option<String>,
    /// The text; a reminder naming the time when absent.
    #[schema(schema_with = leadstream_api_conventions::field_schema::long_text_or_null)]
    message: Option<String>,
}

/// An IANA time zone name, as the document lists them.
fn time_zone() -> utoipa::openapi::Object {
    use utoipa::openapi::schema::{ObjectBuilder, SchemaType, Type};
    ObjectBuilder::new()
        .schema_type(SchemaType::Type(Type::String))
        .enum_values(Some(leadstream_domain::appointment::time_zone_names()))
        .build()
}

/// Business hours as the domain reads them: weekday names (any case) to an opening and a closing
/// time, HH:MM.
fn opening_hours_by_day() -> utoipa::openapi::Object {
    use utoipa::openapi::schema::{ObjectBuilder, SchemaType, Type};
    let any_case: Vec<String> = leadstream_domain::appointment::WEEKDAYS
        .iter()
        .map(|day| {
            day.chars()
                .map(|c| format!("[{}{}]", c, c.to_ascii_uppercase()))
                .collect::<String>()
        })
        .collect();
    let time = || {
        ObjectBuilder::new()
            .schema_type(SchemaType::Type(Type::String))
            .pattern(Some("^([01][0-9]|2[0-3]):[0-5][0-9]$"))
    };
    let day = ObjectBuilder::new()
        .schema_type(SchemaType::Type(Type::Object))
        .property("open", time())
        .property("close", time())
        .required("open")
        .required("close");
    ObjectBuilder::new()
        .schema_type(SchemaType::Type(Type::Object))
        .property_names(Some(
            ObjectBuilder::new()
                .schema_type(SchemaType::Type(Type::String))
                .pattern(Some(format!("^\\s*({})\\s*$", any_case.join("|")))),
        ))
        .additional_properties(Some(day))
        .build()
}

/// `PUT /api/v1/settings/business-hours` (seed 002's business settings).
#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct BusinessHoursBody {
    /// An IANA time zone, e.g. `America/Santiago`.
    #[schema(schema_with = time_zone)]
    timezone: String,
    /// Keyed by weekday (`monday` … `sunday`): `{"open": "09:00", "close": "17:00"}`, opening
    /// before it closes; a missing day is closed.
    #[schema(schema_with = opening_hours_by_day)]
    business_hours: BTreeMap<String, OpeningHours>,
}

/// An appointment after a command.
#[derive(Serialize, ToSchema)]
pub struct AppointmentAnswer {
    id: Uuid,
    lead_id: Option<Uuid>,
    agent_id: Option<Uuid>,
    scheduled_date: Option<DateTime<Utc>>,
    ends_at: Option<DateTime<Utc>>,
    duration: u32,
    /// `scheduled`, `confirmed`, `completed`, `cancelled` or `no_show`.
    status: &'static str,
    #[serde(rename = "type")]
    appointment_type: String,
    notes: Option<String>,
    location: Option<String>,
    reminders_minutes_before: Vec<u32>,
    reminders_sent: u32,
    version: i64,
    /// The global position of the command's last event (also in `X-Event-Position`).
    position: Option<i64>,
}

fn answer(status: StatusCode, executed: Executed<Appointment>) -> HttpResponse {
    let a = executed.state;
    let body = AppointmentAnswer {
        id: a.appointment_id.unwrap_or_default(),
        lead_id: a.lead_id,
        agent_id: a.agent_id.map(|x| x.0),
        scheduled_date: a.starts_at,
        ends_at: a.ends_at(),
        duration: a.duration_minutes,
        status: a.status.as_str(),
        appointment_type: a.appointment_type.clone(),
        notes: a.notes.clone(),
        location: a.location.clone(),
        reminders_minutes_before: a.reminders_minutes_before.clone(),
        reminders_sent: a.reminders_sent,
        version: executed.version,
        position: executed.position,
    };
    let mut response = HttpResponse::build(status);
    if let Some(position) = executed.position {
        response.insert_header((EVENT_POSITION_HEADER, position.to_string()));
    }
    if status == StatusCode::CREATED {
        response.insert_header(("location", format!("/api/v1/appointments/{}", body.id)));
    }
    response.json(body)
}

fn failure(error: AppointmentFailure) -> ApiError {
    let field = |field: &str, e: AppointmentError| {
        ApiError::validation(ValidationErrors(vec![FieldError::new(field, e.to_string())]))
    };
    match error {
        AppointmentFailure::Refused(AppointmentError::NotFound) => ApiError::not_found("appointment"),
        AppointmentFailure::Refused(e @ AppointmentError::InThePast) => field("scheduled_date", e),
        AppointmentFailure::Refused(e @ AppointmentError::BadDuration) => field("duration", e),
        AppointmentFailure::Refused(e @ AppointmentError::BadReminders) => field("reminders_minutes_before", e),
        AppointmentFailure::Refused(e) => ApiError::conflict("APPOINTMENT_REFUSED", e.to_string()),
        AppointmentFailure::DoubleBooked(ids) => {
            ApiError::conflict("DOUBLE_BOOKED", "the agent already has an appointment at that time")
                .with_details(json!({ "conflicting_appointment_ids": ids }))
        }
        AppointmentFailure::Store(e) => ApiError::internal(e),
    }
}

fn reminder_failure(error: ReminderFailure) -> ApiError {
    match error {
        ReminderFailure::Appointment(e) => failure(e),
        ReminderFailure::NoAddress(channel) => no_address(channel, None),
        ReminderFailure::Provider(error) => {
            tracing::warn!(%error, "message provider failed on a reminder");
            ApiError::new(
                StatusCode::BAD_GATEWAY,
                "MESSAGE_PROVIDER_UNAVAILABLE",
                "the messaging provider did not take the reminder; retry later",
            )
        }
        ReminderFailure::Store(e) => ApiError::internal(e),
    }
}

fn time(field: &str, raw: &str) -> Result<DateTime<Utc>, FieldError> {
    DateTime::parse_from_rfc3339(raw.trim())
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| FieldError::new(field, "must be an RFC 3339 time, e.g. 2026-01-20T14:00:00Z"))
}

fn optional_text(field: &str, raw: String, long: bool) -> Result<String, FieldError> {
    if long {
        LongText::parse(field, &raw).map(|t| t.as_str().to_string())
    } else {
        ShortText::parse(field, &raw).map(|t| t.as_str().to_string())
    }
}

/// The appointment `id`, if the principal may see it (an agent: its own, or its leads').
async fn visible(
    appointments: &AppointmentService,
    leads: &Service,
    principal: &Principal,
    id: Uuid,
) -> Result<Appointment, ApiError> {
    let appointment = appointments.load(id).await.map_err(failure)?;
    if appointment.tenant_id != Some(principal.tenant_id) {
        return Err(ApiError::not_found("appointment"));
    }
    if let LeadAccess::AssignedTo(me) = principal.lead_access() {
        let mine = appointment.agent_id == Some(me);
        let lead_mine = match appointment.lead_id {
            Some(lead) => leads
                .load(lead)
                .await
                .map_err(command_error)?
                .is_visible_to(principal.tenant_id, principal.lead_access()),
            None => false,
        };
        if !mine && !lead_mine {
            return Err(ApiError::not_found("appointment"));
        }
    }
    Ok(appointment)
}

/// `POST /api/v1/appointments`.
pub async fn create(
    leads: Service,
    appointments: web::Data<AppointmentService>,
    identity: web::Data<IdentityService>,
    clock: web::Data<Clock>,
    principal: Principal,
    body: Json<CreateAppointmentRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let mut e = ValidationErrors::default();
    let lead_id = e.check(required_field("lead_id", body.lead_id).and_then(|raw| uuid_field("lead_id", &raw)));
    let agent_id = e.check_opt(body.agent_id, |raw| uuid_field("agent_id", &raw));
    let starts_at =
        e.check(required_field("scheduled_date", body.scheduled_date).and_then(|raw| time("scheduled_date", &raw)));
    let appointment_type = e
        .check_opt(body.appointment_type, |raw| slug("type", &raw))
        .unwrap_or_else(|| "consultation".into());
    let notes = e.check_opt(body.notes, |raw| optional_text("notes", raw, true));
    let location = e.check_opt(body.location, |raw| optional_text("location", raw, false));
    let (Some(lead_id), Some(starts_at)) = (lead_id, starts_at) else {
        return Err(ApiError::validation(e));
    };
    if !e.0.is_empty() {
        return Err(ApiError::validation(e));
    }
    let lead = visible_lead(&leads, &principal, lead_id).await?;
    let agent = agent_id.or(lead.assigned_to.map(|a| a.0)).unwrap_or(principal.user_id);
    if let LeadAccess::AssignedTo(me) = principal.lead_access() {
        if agent != me.0 {
            return Err(ApiError::forbidden("agents book their own time only"));
        }
    }
    ensure_active_agent(&identity, &principal, agent).await?;
    let id = Uuid::now_v7();
    let action = AppointmentAction::Schedule(ScheduleAppointment {
        appointment_id: id,
        lead_id,
        agent_id: AgentId(agent),
        starts_at,
        duration_minutes: body.duration.unwrap_or(30),
        appointment_type,
        notes,
        location,
        reminders_minutes_before: body
            .reminders_minutes_before
            .unwrap_or_else(|| DEFAULT_REMINDERS_MINUTES.to_vec()),
    });
    let metadata = request_metadata(&principal, clock.now(), None);
    let executed = appointments.execute(id, action, &metadata).await.map_err(failure)?;
    Ok(answer(StatusCode::CREATED, executed))
}

/// `PUT /api/v1/appointments/{id}`: each change is its own command, in the order move, details,
/// status.
pub async fn update(
    leads: Service,
    appointments: web::Data<AppointmentService>,
    clock: web::Data<Clock>,
    principal: Principal,
    id: web::Path<Uuid>,
    body: Json<UpdateAppointmentRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let mut e = ValidationErrors::default();
    let starts_at = e.check_opt(body.scheduled_date, |raw| time("scheduled_date", &raw));
    let status = e.check_opt(body.status, |raw| {
        AppointmentStatus::parse(&raw)
            .filter(|s| *s != AppointmentStatus::Scheduled)
            .ok_or_else(|| FieldError::new("status", "use confirmed, completed, cancelled or no_show"))
    });
    let appointment_type = e.check_opt(body.appointment_type, |raw| slug("type", &raw));
    let notes = e.check_opt(body.notes, |raw| optional_text("notes", raw, true));
    let location = e.check_opt(body.location, |raw| optional_text("location", raw, false));
    let reason = e.check_opt(body.reason, |raw| optional_text("reason", raw, false));
    if !e.0.is_empty() {
        return Err(ApiError::validation(e));
    }
    let current = visible(&appointments, &leads, &principal, id.into_inner()).await?;
    let id = current.appointment_id.unwrap_or_default();
    let mut actions = vec![];
    if starts_at.is_some() || body.duration.is_some() {
        actions.push(AppointmentAction::Reschedule {
            starts_at: starts_at.or(current.starts_at).unwrap_or_default(),
            duration_minutes: body.duration,
        });
    }
    if appointment_type.is_some() || notes.is_some() || location.is_some() {
        actions.push(AppointmentAction::Update {
            appointment_type,
            notes: notes.clone(),
            location,
        });
    }
    actions.extend(status.map(|status| match status {
        AppointmentStatus::Confirmed => AppointmentAction::Confirm,
        AppointmentStatus::Completed => AppointmentAction::Complete { notes: None },
        AppointmentStatus::NoShow => AppointmentAction::MarkNoShow,
        _ => AppointmentAction::Cancel { reason: reason.clone() },
    }));
    if actions.is_empty() {
        return Err(ApiError::validation(ValidationErrors(vec![FieldError::new(
            "scheduled_date",
            "give something to change: scheduled_date, duration, status, type, notes or location",
        )])));
    }
    let metadata = request_metadata(&principal, clock.now(), None);
    let mut last = None;
    for action in actions {
        last = Some(appointments.execute(id, action, &metadata).await.map_err(failure)?);
    }
    Ok(answer(StatusCode::OK, last.expect("at least one action ran")))
}

/// `DELETE /api/v1/appointments/{id}`: cancel; the agent's time is free again.
pub async fn cancel(
    leads: Service,
    appointments: web::Data<AppointmentService>,
    clock: web::Data<Clock>,
    principal: Principal,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let current = visible(&appointments, &leads, &principal, id.into_inner()).await?;
    let metadata = request_metadata(&principal, clock.now(), None);
    let executed = appointments
        .execute(
            current.appointment_id.unwrap_or_default(),
            AppointmentAction::Cancel { reason: None },
            &metadata,
        )
        .await
        .map_err(failure)?;
    Ok(answer(StatusCode::OK, executed))
}

/// `POST /api/v1/appointments/{id}/remind`: a reminder to the lead now.
#[allow(clippy::too_many_arguments)]
pub async fn remind(
    leads: Service,
    appointments: web::Data<AppointmentService>,
    followups: web::Data<LeadFollowUps>,
    integrations: web::Data<Integrations>,
    hours: web::Data<BusinessHoursStore>,
    clock: web::Data<Clock>,
    principal: Principal,
    id: web::Path<Uuid>,
    body: OptionalJson<RemindRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.0.unwrap_or(RemindRequest {
        method: None,
        message: None,
    });
    let mut e = ValidationErrors::default();
    let channel = e.check_opt(body.method, |raw| match raw.trim() {
        "sms" => Ok(Channel::Sms),
        "email" => Ok(Channel::Email),
        _ => Err(FieldError::new("method", "must be sms or email")),
    });
    let message = e.check_opt(body.message, |raw| LongText::parse("message", &raw));
    if !e.0.is_empty() {
        return Err(ApiError::validation(e));
    }
    let appointment = visible(&appointments, &leads, &principal, id.into_inner()).await?;
    let metadata = request_metadata(&principal, clock.now(), None);
    let reminder = Reminder {
        appointment: &appointment,
        channel,
        message,
        trigger: ReminderTrigger::Manual,
        minutes_before: None,
    };
    let executed = send_reminder(&appointments, &followups, &integrations, &hours, reminder, &metadata)
        .await
        .map_err(reminder_failure)?;
    Ok(answer(StatusCode::OK, executed))
}

/// `GET /api/v1/settings/business-hours`.
pub async fn business_hours(
    hours: web::Data<BusinessHoursStore>,
    principal: Principal,
) -> Result<HttpResponse, ApiError> {
    let current = hours.get(principal.tenant_id.0).await.map_err(ApiError::internal)?;
    Ok(HttpResponse::Ok().json(BusinessHoursBody {
        timezone: current.timezone.name().to_string(),
        business_hours: current.opening_hours(),
    }))
}

/// `PUT /api/v1/settings/business-hours` (admins).
pub async fn set_business_hours(
    hours: web::Data<BusinessHoursStore>,
    principal: Principal,
    body: Json<BusinessHoursBody>,
) -> Result<HttpResponse, ApiError> {
    principal.require_admin()?;
    let body = body.into_inner();
    let parsed = BusinessHours::parse(&body.timezone, &body.business_hours).map_err(ApiError::validation)?;
    hours
        .set(principal.tenant_id.0, &parsed)
        .await
        .map_err(ApiError::internal)?;
    Ok(HttpResponse::Ok().json(BusinessHoursBody {
        timezone: parsed.timezone.name().to_string(),
        business_hours: parsed.opening_hours(),
    }))
}
