use chrono::{DateTime, Duration, Utc};
use cqrs_es::event_sink::EventSink;
use cqrs_es::Aggregate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::events::*;
use crate::lead::Channel;
use crate::values::{AgentId, TenantId};

/// Reminders a booking gets unless told otherwise: a day and an hour before (seed 002).
pub const DEFAULT_REMINDERS_MINUTES: [u32; 2] = [1440, 60];

/// The shortest and longest meeting one booking holds, in minutes.
const DURATION_MINUTES: std::ops::RangeInclusive<u32> = 5..=480;

/// A request to an appointment, at one instant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AppointmentCommand {
    pub tenant_id: TenantId,
    pub issued_at: DateTime<Utc>,
    pub action: AppointmentAction,
}

/// What the command asks for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum AppointmentAction {
    Schedule(ScheduleAppointment),
    Reschedule {
        starts_at: DateTime<Utc>,
        duration_minutes: Option<u32>,
    },
    Update {
        appointment_type: Option<String>,
        notes: Option<String>,
        location: Option<String>,
    },
    Confirm,
    Complete {
        notes: Option<String>,
    },
    Cancel {
        reason: Option<String>,
    },
    MarkNoShow,
    RecordReminder {
        channel: Channel,
        to: String,
        message: String,
        trigger: ReminderTrigger,
        minutes_before: Option<u32>,
    },
}

/// A new booking.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScheduleAppointment {
    pub appointment_id: Uuid,
    pub lead_id: Uuid,
    pub agent_id: AgentId,
    pub starts_at: DateTime<Utc>,
    pub duration_minutes: u32,
    pub appointment_type: String,
    pub notes: Option<String>,
    pub location: Option<String>,
    pub reminders_minutes_before: Vec<u32>,
}

/// What made a reminder go out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReminderTrigger {
    /// Someone asked for it (`POST /appointments/{id}/remind`).
    Manual,
    /// The scheduler, when it fell due.
    Scheduled,
}

/// Where an appointment is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AppointmentStatus {
    #[default]
    Scheduled,
    Confirmed,
    Completed,
    Cancelled,
    NoShow,
}

impl AppointmentStatus {
    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Scheduled => "scheduled",
            Self::Confirmed => "confirmed",
            Self::Completed => "completed",
            Self::Cancelled => "cancelled",
            Self::NoShow => "no_show",
        }
    }

    /// Reads a status name (`no-show` too).
    pub fn parse(raw: &str) -> Option<Self> {
        Some(match raw.trim().to_lowercase().replace('-', "_").as_str() {
            "scheduled" => Self::Scheduled,
            "confirmed" => Self::Confirmed,
            "completed" => Self::Completed,
            "cancelled" | "canceled" => Self::Cancelled,
            "no_show" => Self::NoShow,
            _ => return None,
        })
    }

    /// Whether the meeting is still ahead (it holds the agent's time and takes reminders).
    pub fn is_open(self) -> bool {
        matches!(self, Self::Scheduled | Self::Confirmed)
    }
}

/// Why an appointment refused a command.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AppointmentError {
    #[error("appointment not found")]
    NotFound,
    #[error("appointment already exists")]
    AlreadyExists,
    #[error("an appointment cannot start in the past")]
    InThePast,
    #[error("an appointment lasts 5 to 480 minutes")]
    BadDuration,
    #[error("reminders are 1 to 10080 minutes before the start, at most 5")]
    BadReminders,
    #[error("the appointment is {0}")]
    Closed(&'static str),
    #[error("the appointment has not started yet")]
    NotYetHeld,
}

/// An appointment's state, folded from its events.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Appointment {
    pub appointment_id: Option<Uuid>,
    pub tenant_id: Option<TenantId>,
    pub lead_id: Option<Uuid>,
    pub agent_id: Option<AgentId>,
    pub starts_at: Option<DateTime<Utc>>,
    pub duration_minutes: u32,
    pub appointment_type: String,
    pub notes: Option<String>,
    pub location: Option<String>,
    pub reminders_minutes_before: Vec<u32>,
    pub status: AppointmentStatus,
    pub reminders_sent: u32,
    /// The scheduled reminders (minutes before) already sent for the current start time.
    #[serde(default)]
    pub reminded: Vec<u32>,
}

impl Appointment {
    /// When the meeting ends.
    pub fn ends_at(&self) -> Option<DateTime<Utc>> {
        self.starts_at
            .map(|s| s + Duration::minutes(i64::from(self.duration_minutes)))
    }

    /// Decides the events of `command`; an empty list means it already is as asked.
    pub fn decide(&self, command: &AppointmentCommand) -> Result<Vec<AppointmentEvent>, AppointmentError> {
        let (tenant_id, at) = (command.tenant_id, command.issued_at);
        if let AppointmentAction::Schedule(s) = &command.action {
            if self.appointment_id.is_some() {
                return Err(AppointmentError::AlreadyExists);
            }
            check_time(s.starts_at, s.duration_minutes, at)?;
            let ok_reminders = s.reminders_minutes_before.len() <= 5
                && s.reminders_minutes_before.iter().all(|m| (1..=10_080).contains(m));
            if !ok_reminders {
                return Err(AppointmentError::BadReminders);
            }
            let mut reminders = s.reminders_minutes_before.clone();
            reminders.sort_unstable_by(|a, b| b.cmp(a));
            reminders.dedup();
            return Ok(vec![AppointmentEvent::Scheduled(AppointmentScheduled {
                tenant_id,
                appointment_id: s.appointment_id,
                lead_id: s.lead_id,
                agent_id: s.agent_id,
                starts_at: s.starts_at,
                ends_at: s.starts_at + Duration::minutes(i64::from(s.duration_minutes)),
                duration_minutes: s.duration_minutes,
                appointment_type: s.appointment_type.clone(),
                notes: s.notes.clone(),
                location: s.location.clone(),
                reminders_minutes_before: reminders,
                scheduled_at: at,
            })]);
        }
        if self.appointment_id.is_none() || self.tenant_id != Some(tenant_id) {
            return Err(AppointmentError::NotFound);
        }
        let started = self.starts_at.is_some_and(|s| at >= s);
        let open = self.status.is_open();
        let closed = || Err(AppointmentError::Closed(self.status.as_str()));
        Ok(match &command.action {
            AppointmentAction::Schedule(_) => unreachable!("handled above"),
            AppointmentAction::Cancel { .. } if self.status == AppointmentStatus::Cancelled => vec![],
            AppointmentAction::Confirm if self.status == AppointmentStatus::Confirmed => vec![],
            AppointmentAction::Complete { .. } if self.status == AppointmentStatus::Completed => vec![],
            AppointmentAction::MarkNoShow if self.status == AppointmentStatus::NoShow => vec![],
            _ if !open => return closed(),
            AppointmentAction::Reschedule {
                starts_at,
                duration_minutes,
            } => {
                let duration = duration_minutes.unwrap_or(self.duration_minutes);
                if Some(*starts_at) == self.starts_at && duration == self.duration_minutes {
                    return Ok(vec![]);
                }
                check_time(*starts_at, duration, at)?;
                vec![AppointmentEvent::Rescheduled(AppointmentRescheduled {
                    tenant_id,
                    previous_starts_at: self.starts_at.unwrap_or(*starts_at),
                    starts_at: *starts_at,
                    ends_at: *starts_at + Duration::minutes(i64::from(duration)),
                    duration_minutes: duration,
                    rescheduled_at: at,
                })]
            }
            AppointmentAction::Update {
                appointment_type,
                notes,
                location,
            } => {
                let changed =
                    |new: &Option<String>, old: &Option<String>| new.clone().filter(|n| Some(n) != old.as_ref());
                let appointment_type = appointment_type.clone().filter(|t| *t != self.appointment_type);
                let notes = changed(notes, &self.notes);
                let location = changed(location, &self.location);
                if appointment_type.is_none() && notes.is_none() && location.is_none() {
                    return Ok(vec![]);
                }
                vec![AppointmentEvent::Updated(AppointmentUpdated {
                    tenant_id,
                    appointment_type,
                    notes,
                    location,
                    updated_at: at,
                })]
            }
            AppointmentAction::Confirm => vec![AppointmentEvent::Confirmed(AppointmentConfirmed {
                tenant_id,
                confirmed_at: at,
            })],
            AppointmentAction::Complete { .. } | AppointmentAction::MarkNoShow if !started => {
                return Err(AppointmentError::NotYetHeld)
            }
            AppointmentAction::Complete { notes } => vec![AppointmentEvent::Completed(AppointmentCompleted {
                tenant_id,
                notes: notes.clone(),
                completed_at: at,
            })],
            AppointmentAction::MarkNoShow => vec![AppointmentEvent::NoShow(AppointmentNoShow {
                tenant_id,
                recorded_at: at,
            })],
            AppointmentAction::Cancel { reason } => vec![AppointmentEvent::Cancelled(AppointmentCancelled {
                tenant_id,
                reason: reason.clone(),
                cancelled_at: at,
            })],
            // The scheduler retrying after a crash: that reminder went out already.
            AppointmentAction::RecordReminder {
                trigger: ReminderTrigger::Scheduled,
                minutes_before: Some(m),
                ..
            } if self.reminded.contains(m) => vec![],
            AppointmentAction::RecordReminder {
                channel,
                to,
                message,
                trigger,
                minutes_before,
            } => vec![AppointmentEvent::ReminderSent(ReminderSent {
                tenant_id,
                channel: *channel,
                to: to.clone(),
                message: message.clone(),
                trigger: *trigger,
                minutes_before: *minutes_before,
                sent_at: at,
            })],
        })
    }
}

fn check_time(starts_at: DateTime<Utc>, duration: u32, now: DateTime<Utc>) -> Result<(), AppointmentError> {
    if starts_at <= now {
        return Err(AppointmentError::InThePast);
    }
    if !DURATION_MINUTES.contains(&duration) {
        return Err(AppointmentError::BadDuration);
    }
    Ok(())
}

impl Aggregate for Appointment {
    const TYPE: &'static str = "appointment";
    type Command = AppointmentCommand;
    type Event = AppointmentEvent;
    type Error = AppointmentError;
    type Services = ();

    async fn handle(
        &mut self,
        command: AppointmentCommand,
        _: &(),
        sink: &EventSink<Self>,
    ) -> Result<(), AppointmentError> {
        for event in self.decide(&command)? {
            sink.write(event, self).await;
        }
        Ok(())
    }

    fn apply(&mut self, event: AppointmentEvent) {
        match event {
            AppointmentEvent::Scheduled(e) => {
                *self = Appointment {
                    appointment_id: Some(e.appointment_id),
                    tenant_id: Some(e.tenant_id),
                    lead_id: Some(e.lead_id),
                    agent_id: Some(e.agent_id),
                    starts_at: Some(e.starts_at),
                    duration_minutes: e.duration_minutes,
                    appointment_type: e.appointment_type,
                    notes: e.notes,
                    location: e.location,
                    reminders_minutes_before: e.reminders_minutes_before,
                    ..Appointment::default()
                }
            }
            AppointmentEvent::Rescheduled(e) => {
                self.starts_at = Some(e.starts_at);
                self.duration_minutes = e.duration_minutes;
                self.status = AppointmentStatus::Scheduled;
                self.reminded.clear();
            }
            AppointmentEvent::Updated(e) => {
                if let Some(t) = e.appointment_type {
                    self.appointment_type = t;
                }
                self.notes = e.notes.or(self.notes.take());
                self.location = e.location.or(self.location.take());
            }
            AppointmentEvent::Confirmed(_) => self.status = AppointmentStatus::Confirmed,
            AppointmentEvent::Completed(_) => self.status = AppointmentStatus::Completed,
            AppointmentEvent::Cancelled(_) => self.status = AppointmentStatus::Cancelled,
            AppointmentEvent::NoShow(_) => self.status = AppointmentStatus::NoShow,
            AppointmentEvent::ReminderSent(e) => {
                self.reminders_sent += 1;
                if let (ReminderTrigger::Scheduled, Some(m)) = (e.trigger, e.minutes_before) {
                    self.reminded.push(m);
                }
            }
        }
    }
}
