use chrono::{DateTime, Utc};
use leadstream_domain::appointment::{AppointmentError, ReminderTrigger};
use leadstream_domain::lead::{Channel, LeadAction, SentMessage};
use leadstream_domain::sequence::{SequenceAction, SequenceCommand, SequenceEvent};
use leadstream_domain::values::{LeadStatus, LongText, ShortText, TenantId};
use std::time::Duration;
use tokio::sync::watch;
use uuid::Uuid;

use super::SequenceService;
use crate::appointments::{
    send_reminder, AppointmentFailure, AppointmentService, BusinessHoursStore, Reminder, ReminderFailure,
};
use crate::clock::Clock;
use crate::integrations::{Integrations, Outbound};
use crate::{CommandMetadata, LeadFollowUps};

/// How the scheduler runs.
#[derive(Debug, Clone)]
pub struct SchedulerSettings {
    /// How often due touchpoints are looked for.
    pub tick: Duration,
    /// Touchpoints claimed per look.
    pub batch: i64,
}

/// Sends due touchpoints and appointment reminders. Each look claims due rows with
/// `FOR UPDATE SKIP LOCKED` and holds them until they are marked, so instances never take the
/// same one; the Sequence refuses a touchpoint it already sent, and the Appointment a scheduled
/// reminder it already recorded, so a retry after a crash does not send it again.
#[derive(Clone)]
pub struct Scheduler {
    sequences: SequenceService,
    followups: LeadFollowUps,
    integrations: Integrations,
    reminders: Option<(AppointmentService, BusinessHoursStore)>,
    clock: Clock,
    settings: SchedulerSettings,
}

/// One claimed touchpoint.
#[derive(sqlx::FromRow)]
struct Due {
    sequence_id: Uuid,
    idx: i32,
    tenant_id: Uuid,
    lead_id: Uuid,
    channel: String,
    sequence_type: String,
    /// A campaign step's subject and message, `{{name}}` still to fill in.
    subject: Option<String>,
    message: Option<String>,
}

impl Scheduler {
    /// A scheduler over the given services, reading time from `clock`.
    pub fn new(
        sequences: SequenceService,
        followups: LeadFollowUps,
        integrations: Integrations,
        clock: Clock,
        settings: SchedulerSettings,
    ) -> Self {
        Self {
            sequences,
            followups,
            integrations,
            reminders: None,
            clock,
            settings,
        }
    }

    /// The same scheduler, also sending appointment reminders.
    pub fn with_reminders(mut self, appointments: AppointmentService, hours: BusinessHoursStore) -> Self {
        self.reminders = Some((appointments, hours));
        self
    }

    /// Runs until `shutdown` turns true.
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) {
        while !*shutdown.borrow() {
            match self.fire_due().await {
                Ok(0) => {}
                Ok(fired) => tracing::info!(fired, "touchpoints sent"),
                Err(error) => tracing::warn!(%error, "scheduler look failed; trying again"),
            }
            match self.fire_due_reminders().await {
                Ok(0) => {}
                Ok(fired) => tracing::info!(fired, "reminders sent"),
                Err(error) => tracing::warn!(%error, "reminder look failed; trying again"),
            }
            tokio::select! {
                _ = tokio::time::sleep(self.settings.tick) => {}
                _ = shutdown.changed() => {}
            }
        }
    }

    /// Sends every touchpoint due now (up to the batch); returns how many went out.
    pub async fn fire_due(&self) -> Result<usize, String> {
        let now = self.clock.now();
        let mut tx = self.sequences.pool().begin().await.map_err(|e| e.to_string())?;
        let due: Vec<Due> = sqlx::query_as(
            "SELECT t.sequence_id, t.idx, s.tenant_id, s.lead_id, COALESCE(t.channel, s.channel) AS channel,
                    s.sequence_type, t.subject, t.message
               FROM sequence_touchpoints t JOIN sequences s USING (sequence_id)
              WHERE t.state = 'pending' AND t.due_at <= $1
                AND EXISTS (SELECT 1 FROM events e WHERE e.aggregate_type = 'sequence'
                             AND e.aggregate_id = t.sequence_id::text AND e.sequence = 1)
              ORDER BY t.due_at
              LIMIT $2
                FOR UPDATE OF t SKIP LOCKED",
        )
        .bind(now)
        .bind(self.settings.batch)
        .fetch_all(&mut *tx)
        .await
        .map_err(|e| e.to_string())?;
        let mut fired = 0;
        for touchpoint in &due {
            let state = self.fire(touchpoint, now).await?;
            if state == "sent" {
                fired += 1;
            }
            sqlx::query(
                "UPDATE sequence_touchpoints SET state = $3, sent_at = CASE WHEN $3 = 'sent' THEN $4 END
                  WHERE sequence_id = $1 AND idx = $2",
            )
            .bind(touchpoint.sequence_id)
            .bind(touchpoint.idx)
            .bind(state)
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(|e| e.to_string())?;
        }
        tx.commit().await.map_err(|e| e.to_string())?;
        Ok(fired)
    }

    /// Sends one touchpoint; returns its new state.
    async fn fire(&self, due: &Due, now: DateTime<Utc>) -> Result<&'static str, String> {
        let tenant_id = TenantId(due.tenant_id);
        let metadata = CommandMetadata {
            tenant_id,
            issued_at: now,
            actor: "scheduler".into(),
            correlation_id: format!("sequence:{}", due.sequence_id),
            causation_id: format!("sequence:{}:{}", due.sequence_id, due.idx),
        };
        let command = |action| SequenceCommand {
            tenant_id,
            issued_at: now,
            action,
        };
        // A converted or erased lead stops its sequences by itself.
        let lead = self
            .followups
            .leads
            .load(due.lead_id)
            .await
            .map_err(|e| e.to_string())?;
        let reason = if !lead.exists() || lead.erased {
            Some("the lead was erased")
        } else if lead.status == Some(LeadStatus::Converted) {
            Some("the lead converted")
        } else {
            None
        };
        if let Some(reason) = reason {
            self.sequences
                .execute(
                    due.sequence_id,
                    command(SequenceAction::Stop { reason: reason.into() }),
                    &metadata,
                )
                .await
                .map_err(|e| e.to_string())?;
            return Ok("cancelled");
        }
        let index = due.idx as u32;
        let (sequence, events) = self
            .sequences
            .execute(
                due.sequence_id,
                command(SequenceAction::SendTouchpoint { index }),
                &metadata,
            )
            .await
            .map_err(|e| e.to_string())?;
        if !events.iter().any(|e| matches!(e, SequenceEvent::TouchpointSent(_))) {
            // Sent before (a retry after a crash), or the sequence was stopped meanwhile.
            return Ok(if sequence.sent.contains(&index) {
                "sent"
            } else {
                "cancelled"
            });
        }
        let channel = if due.channel == "email" {
            Channel::Email
        } else {
            Channel::Sms
        };
        let Some(to) = lead.address_for(channel) else {
            tracing::warn!(sequence_id = %due.sequence_id, "the lead has no address for the sequence's channel");
            return Ok("sent");
        };
        let name = lead.display_name().unwrap_or_else(|| "there".into());
        let body = match &due.message {
            Some(template) => template.replace("{{name}}", &name),
            None => format!(
                "Hi {name}, following up on your interest ({} {} of {}). Is there anything we can help you with?",
                due.sequence_type,
                index + 1,
                sequence.touchpoints.len()
            ),
        };
        let subject =
            (channel == Channel::Email).then(|| due.subject.clone().unwrap_or_else(|| "Following up".to_string()));
        let outbound = Outbound {
            tenant_id: due.tenant_id,
            lead_id: due.lead_id,
            channel,
            to: to.clone(),
            subject: subject.clone(),
            body: body.clone(),
        };
        // The touchpoint is recorded before the message goes out: a crash in between loses one
        // message rather than sending it twice.
        let accepted = self
            .integrations
            .messages
            .send(&outbound)
            .await
            .map_err(|e| e.to_string())?;
        let message = SentMessage {
            message_id: Uuid::now_v7(),
            channel,
            to,
            subject: subject.and_then(|s| ShortText::parse("subject", &s).ok()),
            body: LongText::parse("body", &body).map_err(|e| e.message)?,
            provider: accepted.provider,
            provider_message_id: accepted.provider_message_id,
        };
        self.followups
            .run(due.lead_id, LeadAction::RecordMessage(Box::new(message)), &metadata)
            .await
            .map_err(|e| e.to_string())?;
        Ok("sent")
    }

    /// Sends one claimed reminder; returns the row's new state and whether a message went out.
    async fn fire_reminder(
        &self,
        appointments: &AppointmentService,
        hours: &BusinessHoursStore,
        appointment_id: Uuid,
        minutes_before: i32,
        tenant_id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<(&'static str, bool), String> {
        let appointment = appointments.load(appointment_id).await.map_err(|e| e.to_string())?;
        if !appointment.status.is_open() {
            return Ok(("cancelled", false));
        }
        let metadata = CommandMetadata {
            tenant_id: TenantId(tenant_id),
            issued_at: now,
            actor: "scheduler".into(),
            correlation_id: format!("appointment:{appointment_id}"),
            causation_id: format!("appointment:{appointment_id}:reminder:{minutes_before}"),
        };
        let reminder = Reminder {
            appointment: &appointment,
            channel: None,
            message: None,
            trigger: ReminderTrigger::Scheduled,
            minutes_before: Some(minutes_before as u32),
        };
        match send_reminder(
            appointments,
            &self.followups,
            &self.integrations,
            hours,
            reminder,
            &metadata,
        )
        .await
        {
            Ok(executed) => Ok(("sent", !executed.events.is_empty())),
            Err(ReminderFailure::NoAddress(_)) => {
                tracing::warn!(%appointment_id, "the lead has no address for a reminder");
                Ok(("cancelled", false))
            }
            // Closed between the claim and now.
            Err(ReminderFailure::Appointment(AppointmentFailure::Refused(AppointmentError::Closed(_)))) => {
                Ok(("cancelled", false))
            }
            Err(error) => Err(error.to_string()),
        }
    }

    /// Sends every appointment reminder due now (up to the batch); returns how many went out.
    pub async fn fire_due_reminders(&self) -> Result<usize, String> {
        let Some((appointments, hours)) = &self.reminders else {
            return Ok(0);
        };
        let now = self.clock.now();
        // Claimed and committed at once: the appointment's own commands (a reschedule, a
        // cancellation) never wait on a lock the scheduler holds while it waits on them.
        let due: Vec<(Uuid, i32, Uuid)> = sqlx::query_as(
            "UPDATE appointment_reminders SET state = 'firing', claimed_at = $1
              WHERE (appointment_id, minutes_before) IN (
                    SELECT appointment_id, minutes_before FROM appointment_reminders
                     WHERE due_at <= $1
                       AND (state = 'pending' OR (state = 'firing' AND claimed_at < $1 - interval '60 seconds'))
                     ORDER BY due_at LIMIT $2
                       FOR UPDATE SKIP LOCKED)
              RETURNING appointment_id, minutes_before, tenant_id",
        )
        .bind(now)
        .bind(self.settings.batch)
        .fetch_all(appointments.pool())
        .await
        .map_err(|e| e.to_string())?;
        let mut fired = 0;
        for (appointment_id, minutes_before, tenant_id) in due {
            let state = match self
                .fire_reminder(appointments, hours, appointment_id, minutes_before, tenant_id, now)
                .await
            {
                Ok((state, sent)) => {
                    fired += usize::from(sent);
                    state
                }
                Err(error) => {
                    // The claim stays; another look takes it again once it is stale.
                    tracing::warn!(%error, %appointment_id, "a reminder failed; it will be tried again");
                    continue;
                }
            };
            // Only this claim: a reschedule meanwhile made the row pending for the new time.
            sqlx::query(
                "UPDATE appointment_reminders SET state = $3, sent_at = CASE WHEN $3 = 'sent' THEN $4 END
                  WHERE appointment_id = $1 AND minutes_before = $2 AND state = 'firing' AND claimed_at = $4",
            )
            .bind(appointment_id)
            .bind(minutes_before)
            .bind(state)
            .bind(now)
            .execute(appointments.pool())
            .await
            .map_err(|e| e.to_string())?;
        }
        Ok(fired)
    }
}
