use chrono::{DateTime, Utc};
use cqrs_es::DomainEvent;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::CallDirection;
use crate::conversation::{CallAnalytics, CallSummary, ConversationState, Language, TurnAnalysis};
use crate::values::TenantId;
use crate::EventContract;

/// Everything that can happen to a call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event_type", content = "data")]
pub enum CallEvent {
    #[serde(rename = "call.created")]
    Created(CallCreated),
    #[serde(rename = "call.started")]
    Started(CallStarted),
    #[serde(rename = "call.turn_recorded")]
    TurnRecorded(TurnRecorded),
    #[serde(rename = "call.completed")]
    Completed(CallCompleted),
    #[serde(rename = "call.failed")]
    Failed(CallFailed),
}

/// A call was placed (outbound) or came in (inbound); it is queued until answered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CallCreated {
    pub tenant_id: TenantId,
    pub call_id: Uuid,
    pub lead_id: Uuid,
    pub direction: CallDirection,
    /// The lead's number, E.164.
    pub phone: String,
    pub purpose: Option<String>,
    pub language: Language,
    /// Who carries the audio (`local`, `vapi`, `retell`, `telnyx`).
    pub provider: String,
    pub provider_call_id: String,
    pub created_at: DateTime<Utc>,
}

/// The lead picked up; the assistant opened.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CallStarted {
    pub tenant_id: TenantId,
    pub opening_message: String,
    pub started_at: DateTime<Utc>,
}

/// The customer said something; the analysis is of what they said, the reply what the
/// assistant answered (unknown when a provider's agent answered and did not say).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TurnRecorded {
    pub tenant_id: TenantId,
    pub index: u32,
    pub customer_text: String,
    pub reply: Option<String>,
    pub analysis: TurnAnalysis,
    pub conversation_state: ConversationState,
    pub should_continue: bool,
    pub recorded_at: DateTime<Utc>,
}

/// The call ended after a conversation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CallCompleted {
    pub tenant_id: TenantId,
    pub reason: String,
    pub summary: CallSummary,
    pub analytics: CallAnalytics,
    pub ended_at: DateTime<Utc>,
}

/// The call did not happen or broke off: no answer, busy, a provider error.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CallFailed {
    pub tenant_id: TenantId,
    pub reason: String,
    pub failed_at: DateTime<Utc>,
}

impl CallEvent {
    /// The dotted public name, e.g. `call.started`.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Created(_) => "call.created",
            Self::Started(_) => "call.started",
            Self::TurnRecorded(_) => "call.turn_recorded",
            Self::Completed(_) => "call.completed",
            Self::Failed(_) => "call.failed",
        }
    }
}

impl DomainEvent for CallEvent {
    fn event_type(&self) -> String {
        self.name().to_string()
    }

    fn event_version(&self) -> String {
        "1".to_string()
    }
}

impl EventContract for CallEvent {
    const AGGREGATE_TYPE: &'static str = "call";
    const EVENT_TYPES: &'static [(&'static str, &'static str)] = &[
        ("call.created", "1"),
        ("call.started", "1"),
        ("call.turn_recorded", "1"),
        ("call.completed", "1"),
        ("call.failed", "1"),
    ];
}
