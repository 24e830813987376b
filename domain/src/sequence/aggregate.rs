use chrono::{DateTime, Duration, Utc};
use cqrs_es::event_sink::EventSink;
use cqrs_es::Aggregate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::events::*;
use crate::lead::Channel;
use crate::values::TenantId;

/// A request to a sequence, at one instant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SequenceCommand {
    pub tenant_id: TenantId,
    pub issued_at: DateTime<Utc>,
    pub action: SequenceAction,
}

/// What the command asks for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum SequenceAction {
    Start(StartSequence),
    /// Send touchpoint `index`: refused before it is due, silent once it went out.
    SendTouchpoint {
        index: u32,
    },
    Stop {
        reason: String,
    },
}

/// A new sequence for a lead.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StartSequence {
    pub sequence_id: Uuid,
    pub lead_id: Uuid,
    pub sequence_type: String,
    pub channel: Channel,
    /// Days after the start, ascending.
    pub days: Vec<u32>,
    /// What each touchpoint says, day by day, when a campaign planned it (empty: the
    /// sequence's channel and the default follow-up).
    #[serde(default)]
    pub messages: Vec<PlannedMessage>,
    /// The campaign that started the sequence.
    #[serde(default)]
    pub campaign_id: Option<Uuid>,
}

/// A touchpoint's message, as a campaign step wrote it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlannedMessage {
    pub channel: Channel,
    pub subject: Option<String>,
    /// May name `{{name}}`, filled in when it goes out.
    pub message: String,
}

/// Where a sequence is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SequenceStatus {
    #[default]
    Active,
    Completed,
    Stopped,
}

/// Why a sequence refused a command.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SequenceError {
    #[error("sequence not found")]
    NotFound,
    #[error("sequence already exists")]
    AlreadyExists,
    #[error("a sequence needs touchpoints on distinct, ascending days up to 365")]
    BadSchedule,
    #[error("touchpoint {0} does not exist")]
    NoSuchTouchpoint(u32),
    #[error("touchpoint {index} is not due until {due_at}")]
    NotDue { index: u32, due_at: DateTime<Utc> },
}

/// A sequence's state, folded from its events.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Sequence {
    pub sequence_id: Option<Uuid>,
    pub tenant_id: Option<TenantId>,
    pub lead_id: Option<Uuid>,
    pub channel: Option<Channel>,
    pub touchpoints: Vec<Touchpoint>,
    pub sent: Vec<u32>,
    pub status: SequenceStatus,
}

impl Sequence {
    /// Decides the events of `command`.
    pub fn decide(&self, command: &SequenceCommand) -> Result<Vec<SequenceEvent>, SequenceError> {
        let (tenant_id, at) = (command.tenant_id, command.issued_at);
        if let SequenceAction::Start(start) = &command.action {
            if self.sequence_id.is_some() {
                return Err(SequenceError::AlreadyExists);
            }
            let ascending = start.days.windows(2).all(|w| w[0] < w[1]);
            let planned = start.messages.is_empty() || start.messages.len() == start.days.len();
            if start.days.is_empty() || !ascending || !planned || start.days.iter().any(|d| *d == 0 || *d > 365) {
                return Err(SequenceError::BadSchedule);
            }
            let touchpoints = start
                .days
                .iter()
                .enumerate()
                .map(|(i, day)| {
                    let planned = start.messages.get(i);
                    Touchpoint {
                        index: i as u32,
                        day: *day,
                        due_at: at + Duration::days(i64::from(*day)),
                        channel: planned.map(|p| p.channel),
                        subject: planned.and_then(|p| p.subject.clone()),
                        message: planned.map(|p| p.message.clone()),
                    }
                })
                .collect();
            return Ok(vec![SequenceEvent::Started(SequenceStarted {
                tenant_id,
                sequence_id: start.sequence_id,
                lead_id: start.lead_id,
                sequence_type: start.sequence_type.clone(),
                channel: start.channel,
                touchpoints,
                campaign_id: start.campaign_id,
                started_at: at,
            })]);
        }
        if self.tenant_id != Some(tenant_id) {
            return Err(SequenceError::NotFound);
        }
        match &command.action {
            SequenceAction::Start(_) => unreachable!("handled above"),
            // A finished sequence sends and stops nothing more.
            _ if self.status != SequenceStatus::Active => Ok(vec![]),
            SequenceAction::SendTouchpoint { index } => {
                let touchpoint = self
                    .touchpoints
                    .get(*index as usize)
                    .ok_or(SequenceError::NoSuchTouchpoint(*index))?;
                if self.sent.contains(index) {
                    return Ok(vec![]);
                }
                if at < touchpoint.due_at {
                    return Err(SequenceError::NotDue {
                        index: *index,
                        due_at: touchpoint.due_at,
                    });
                }
                let mut events = vec![SequenceEvent::TouchpointSent(TouchpointSent {
                    tenant_id,
                    index: *index,
                    due_at: touchpoint.due_at,
                    sent_at: at,
                })];
                if self.sent.len() + 1 == self.touchpoints.len() {
                    events.push(SequenceEvent::Completed(SequenceCompleted {
                        tenant_id,
                        completed_at: at,
                    }));
                }
                Ok(events)
            }
            SequenceAction::Stop { reason } => Ok(vec![SequenceEvent::Stopped(SequenceStopped {
                tenant_id,
                reason: reason.clone(),
                cancelled: (self.touchpoints.len() - self.sent.len()) as u32,
                stopped_at: at,
            })]),
        }
    }

    /// The next touchpoint still to go out, while the sequence is active.
    pub fn next_touchpoint(&self) -> Option<&Touchpoint> {
        (self.status == SequenceStatus::Active)
            .then(|| self.touchpoints.iter().find(|t| !self.sent.contains(&t.index)))
            .flatten()
    }
}

impl Aggregate for Sequence {
    const TYPE: &'static str = "sequence";
    type Command = SequenceCommand;
    type Event = SequenceEvent;
    type Error = SequenceError;
    type Services = ();

    async fn handle(&mut self, command: SequenceCommand, _: &(), sink: &EventSink<Self>) -> Result<(), SequenceError> {
        for event in self.decide(&command)? {
            sink.write(event, self).await;
        }
        Ok(())
    }

    fn apply(&mut self, event: SequenceEvent) {
        match event {
            SequenceEvent::Started(e) => {
                *self = Sequence {
                    sequence_id: Some(e.sequence_id),
                    tenant_id: Some(e.tenant_id),
                    lead_id: Some(e.lead_id),
                    channel: Some(e.channel),
                    touchpoints: e.touchpoints,
                    ..Sequence::default()
                }
            }
            SequenceEvent::TouchpointSent(e) => self.sent.push(e.index),
            SequenceEvent::Completed(_) => self.status = SequenceStatus::Completed,
            SequenceEvent::Stopped(_) => self.status = SequenceStatus::Stopped,
        }
    }
}
