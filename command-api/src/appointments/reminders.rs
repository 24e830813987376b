use leadstream_domain::appointment::{Appointment, AppointmentAction, AppointmentError, ReminderTrigger};
use leadstream_domain::lead::{Channel, LeadAction, SentMessage};
use leadstream_domain::values::{LongText, ShortText};
use uuid::Uuid;

use super::{AppointmentFailure, AppointmentService, BusinessHoursStore};
use crate::integrations::{Integrations, Outbound};
use crate::{CommandMetadata, Executed, LeadFollowUps};

/// A reminder to send.
pub struct Reminder<'a> {
    pub appointment: &'a Appointment,
    pub channel: Option<Channel>,
    pub message: Option<LongText>,
    pub trigger: ReminderTrigger,
    pub minutes_before: Option<u32>,
}

/// Why a reminder did not go out.
#[derive(Debug, thiserror::Error)]
pub enum ReminderFailure {
    #[error("{0}")]
    Appointment(AppointmentFailure),
    #[error("the lead has no address for {}", .0.as_str())]
    NoAddress(Channel),
    #[error("the message provider failed: {0}")]
    Provider(String),
    #[error("reminder: {0}")]
    Store(String),
}

/// Records a reminder on the appointment, sends it to the lead (by SMS when it has a phone,
/// else e-mail, unless told) and records the message on the lead. Recorded before it goes out:
/// a crash in between loses one reminder rather than sending it twice; a scheduled reminder the
/// appointment already recorded is not sent again.
pub async fn send_reminder(
    appointments: &AppointmentService,
    followups: &LeadFollowUps,
    integrations: &Integrations,
    hours: &BusinessHoursStore,
    reminder: Reminder<'_>,
    metadata: &CommandMetadata,
) -> Result<Executed<Appointment>, ReminderFailure> {
    let a = reminder.appointment;
    let (Some(id), Some(lead_id), Some(starts_at)) = (a.appointment_id, a.lead_id, a.starts_at) else {
        return Err(ReminderFailure::Appointment(AppointmentFailure::Refused(
            AppointmentError::NotFound,
        )));
    };
    let lead = followups
        .leads
        .load(lead_id)
        .await
        .map_err(|e| ReminderFailure::Store(e.to_string()))?;
    let channel = reminder.channel.unwrap_or(if lead.phone.is_some() {
        Channel::Sms
    } else {
        Channel::Email
    });
    let Some(to) = lead.address_for(channel) else {
        return Err(ReminderFailure::NoAddress(channel));
    };
    let tz = hours
        .get(metadata.tenant_id.0)
        .await
        .map_err(|e| ReminderFailure::Store(e.to_string()))?
        .timezone;
    let local = starts_at.with_timezone(&tz).format("%A %-d %B at %H:%M (%Z)");
    let text = match reminder.message {
        Some(text) => text,
        None => LongText::parse(
            "message",
            &format!("Reminder: you have an appointment on {local}. Reply to reschedule."),
        )
        .map_err(|e| ReminderFailure::Store(e.message))?,
    };
    let executed = appointments
        .execute(
            id,
            AppointmentAction::RecordReminder {
                channel,
                to: to.clone(),
                message: text.as_str().to_string(),
                trigger: reminder.trigger,
                minutes_before: reminder.minutes_before,
            },
            metadata,
        )
        .await
        .map_err(ReminderFailure::Appointment)?;
    if executed.events.is_empty() {
        return Ok(executed);
    }
    let subject = (channel == Channel::Email).then(|| "Appointment reminder".to_string());
    let outbound = Outbound {
        tenant_id: metadata.tenant_id.0,
        lead_id,
        channel,
        to: to.clone(),
        subject: subject.clone(),
        body: text.as_str().to_string(),
    };
    let accepted = integrations
        .messages
        .send(&outbound)
        .await
        .map_err(|e| ReminderFailure::Provider(e.to_string()))?;
    let message = SentMessage {
        message_id: Uuid::now_v7(),
        channel,
        to,
        subject: subject.and_then(|s| ShortText::parse("subject", &s).ok()),
        body: text,
        provider: accepted.provider,
        provider_message_id: accepted.provider_message_id,
    };
    followups
        .run(lead_id, LeadAction::RecordMessage(Box::new(message)), metadata)
        .await
        .map_err(|e| ReminderFailure::Store(e.to_string()))?;
    Ok(executed)
}
