use chrono::{DateTime, Utc};
use cqrs_es::DomainEvent;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::ReminderTrigger;
use crate::lead::Channel;
use crate::values::{AgentId, TenantId};
use crate::EventContract;

/// Everything that can happen to an appointment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event_type", content = "data")]
pub enum AppointmentEvent {
    #[serde(rename = "appointment.scheduled")]
    Scheduled(AppointmentScheduled),
    #[serde(rename = "appointment.rescheduled")]
    Rescheduled(AppointmentRescheduled),
    #[serde(rename = "appointment.updated")]
    Updated(AppointmentUpdated),
    #[serde(rename = "appointment.confirmed")]
    Confirmed(AppointmentConfirmed),
    #[serde(rename = "appointment.completed")]
    Completed(AppointmentCompleted),
    #[serde(rename = "appointment.cancelled")]
    Cancelled(AppointmentCancelled),
    #[serde(rename = "appointment.no_show")]
    NoShow(AppointmentNoShow),
    #[serde(rename = "appointment.reminder_sent")]
    ReminderSent(ReminderSent),
}

/// A lead and an agent will meet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AppointmentScheduled {
    pub tenant_id: TenantId,
    pub appointment_id: Uuid,
    pub lead_id: Uuid,
    pub agent_id: AgentId,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub duration_minutes: u32,
    pub appointment_type: String,
    pub notes: Option<String>,
    pub location: Option<String>,
    /// When reminders go out, in minutes before the start.
    pub reminders_minutes_before: Vec<u32>,
    pub scheduled_at: DateTime<Utc>,
}

/// The meeting moved; it needs confirming again.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AppointmentRescheduled {
    pub tenant_id: TenantId,
    pub previous_starts_at: DateTime<Utc>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub duration_minutes: u32,
    pub rescheduled_at: DateTime<Utc>,
}

/// What the meeting is about changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AppointmentUpdated {
    pub tenant_id: TenantId,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub appointment_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    pub updated_at: DateTime<Utc>,
}

/// The lead said they will come.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AppointmentConfirmed {
    pub tenant_id: TenantId,
    pub confirmed_at: DateTime<Utc>,
}

/// The meeting took place.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AppointmentCompleted {
    pub tenant_id: TenantId,
    pub notes: Option<String>,
    pub completed_at: DateTime<Utc>,
}

/// The meeting will not take place; its time is free again.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AppointmentCancelled {
    pub tenant_id: TenantId,
    pub reason: Option<String>,
    pub cancelled_at: DateTime<Utc>,
}

/// The lead did not come.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AppointmentNoShow {
    pub tenant_id: TenantId,
    pub recorded_at: DateTime<Utc>,
}

/// A reminder went out to the lead.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReminderSent {
    pub tenant_id: TenantId,
    pub channel: Channel,
    pub to: String,
    pub message: String,
    pub trigger: ReminderTrigger,
    /// For a scheduled reminder, how long before the start it was due.
    pub minutes_before: Option<u32>,
    pub sent_at: DateTime<Utc>,
}

impl AppointmentEvent {
    /// The dotted public name, e.g. `appointment.scheduled`.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Scheduled(_) => "appointment.scheduled",
            Self::Rescheduled(_) => "appointment.rescheduled",
            Self::Updated(_) => "appointment.updated",
            Self::Confirmed(_) => "appointment.confirmed",
            Self::Completed(_) => "appointment.completed",
            Self::Cancelled(_) => "appointment.cancelled",
            Self::NoShow(_) => "appointment.no_show",
            Self::ReminderSent(_) => "appointment.reminder_sent",
        }
    }
}

impl DomainEvent for AppointmentEvent {
    fn event_type(&self) -> String {
        self.name().to_string()
    }

    fn event_version(&self) -> String {
        "1".to_string()
    }
}

impl EventContract for AppointmentEvent {
    const AGGREGATE_TYPE: &'static str = "appointment";
    const EVENT_TYPES: &'static [(&'static str, &'static str)] = &[
        ("appointment.scheduled", "1"),
        ("appointment.rescheduled", "1"),
        ("appointment.updated", "1"),
        ("appointment.confirmed", "1"),
        ("appointment.completed", "1"),
        ("appointment.cancelled", "1"),
        ("appointment.no_show", "1"),
        ("appointment.reminder_sent", "1"),
    ];
}
