use chrono::{DateTime, Utc};
use cqrs_es::DomainEvent;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::lead::Channel;
use crate::values::TenantId;
use crate::EventContract;

/// Everything that can happen to a sequence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event_type", content = "data")]
pub enum SequenceEvent {
    #[serde(rename = "sequence.started")]
    Started(SequenceStarted),
    #[serde(rename = "sequence.touchpoint_sent")]
    TouchpointSent(TouchpointSent),
    #[serde(rename = "sequence.completed")]
    Completed(SequenceCompleted),
    #[serde(rename = "sequence.stopped")]
    Stopped(SequenceStopped),
}

/// One planned contact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Touchpoint {
    pub index: u32,
    pub day: u32,
    pub due_at: DateTime<Utc>,
    /// Set when a campaign planned the touchpoint: its channel, subject and message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<Channel>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// A sequence began, with every touchpoint's due time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SequenceStarted {
    pub tenant_id: TenantId,
    pub sequence_id: Uuid,
    pub lead_id: Uuid,
    pub sequence_type: String,
    pub channel: Channel,
    pub touchpoints: Vec<Touchpoint>,
    /// The campaign that started the sequence, if one did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub campaign_id: Option<Uuid>,
    pub started_at: DateTime<Utc>,
}

/// A touchpoint went out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TouchpointSent {
    pub tenant_id: TenantId,
    pub index: u32,
    pub due_at: DateTime<Utc>,
    pub sent_at: DateTime<Utc>,
}

/// The last touchpoint went out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SequenceCompleted {
    pub tenant_id: TenantId,
    pub completed_at: DateTime<Utc>,
}

/// The sequence was stopped; its remaining touchpoints will not go out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SequenceStopped {
    pub tenant_id: TenantId,
    pub reason: String,
    pub cancelled: u32,
    pub stopped_at: DateTime<Utc>,
}

impl SequenceEvent {
    /// The dotted public name, e.g. `sequence.started`.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Started(_) => "sequence.started",
            Self::TouchpointSent(_) => "sequence.touchpoint_sent",
            Self::Completed(_) => "sequence.completed",
            Self::Stopped(_) => "sequence.stopped",
        }
    }
}

impl DomainEvent for SequenceEvent {
    fn event_type(&self) -> String {
        self.name().to_string()
    }

    fn event_version(&self) -> String {
        "1".to_string()
    }
}

impl EventContract for SequenceEvent {
    const AGGREGATE_TYPE: &'static str = "sequence";
    const EVENT_TYPES: &'static [(&'static str, &'static str)] = &[
        ("sequence.started", "1"),
        ("sequence.touchpoint_sent", "1"),
        ("sequence.completed", "1"),
        ("sequence.stopped", "1"),
    ];
}
