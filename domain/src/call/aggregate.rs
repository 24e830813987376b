use chrono::{DateTime, Utc};
use cqrs_es::event_sink::EventSink;
use cqrs_es::Aggregate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::events::*;
use crate::conversation::{summarize, ConversationState, Language, SummarizedTurn, TurnAnalysis};
use crate::values::{PhoneNumber, TenantId};

/// The most turns one call records: a bound on the stream, far past any real conversation.
pub const MAX_TURNS: usize = 500;

/// Ending reasons that mean the call did not come off.
const FAILURE_REASONS: &[&str] = &[
    "no_answer",
    "busy",
    "failed",
    "error",
    "voicemail",
    "rejected",
    "canceled",
];

/// A request to a call, at one instant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CallCommand {
    pub tenant_id: TenantId,
    pub issued_at: DateTime<Utc>,
    pub action: CallAction,
}

/// What the command asks for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum CallAction {
    Create(CreateCall),
    /// The lead answered; the assistant says `opening_message`.
    Start {
        opening_message: String,
    },
    /// Record what the customer said, what it shows and what the assistant answered.
    RecordTurn {
        customer_text: String,
        reply: Option<String>,
        analysis: TurnAnalysis,
        state: ConversationState,
        should_continue: bool,
    },
    /// Hang up: a conversation becomes `completed` with its summary; a failure reason, or a
    /// call nobody answered, becomes `failed`.
    End {
        reason: String,
        outcome: Option<String>,
    },
    Fail {
        reason: String,
    },
}

/// A new call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreateCall {
    pub call_id: Uuid,
    pub lead_id: Uuid,
    pub direction: CallDirection,
    pub phone: PhoneNumber,
    pub purpose: Option<String>,
    pub language: Language,
    pub provider: String,
    pub provider_call_id: String,
}

/// Who dialled.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CallDirection {
    #[default]
    Outbound,
    Inbound,
}

/// Where a call is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CallStatus {
    #[default]
    Queued,
    InProgress,
    Completed,
    Failed,
}

impl CallStatus {
    /// `queued`, `in_progress`, `completed` or `failed`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::InProgress => "in_progress",
            Self::Completed => "completed",
            Self::Failed => "failed",
        }
    }

    /// Whether nothing more can happen on the call.
    pub fn is_finished(self) -> bool {
        matches!(self, Self::Completed | Self::Failed)
    }
}

/// Why a call refused a command.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CallError {
    #[error("call not found")]
    NotFound,
    #[error("call already exists")]
    AlreadyExists,
    #[error("the call has not started; start it first")]
    NotStarted,
    #[error("the call is {0}; it takes no more turns")]
    Finished(&'static str),
    #[error("a call records at most {MAX_TURNS} turns")]
    TooManyTurns,
}

/// One exchange of the conversation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CallTurn {
    pub index: u32,
    pub customer_text: String,
    pub reply: Option<String>,
    pub analysis: TurnAnalysis,
    pub conversation_state: ConversationState,
    pub recorded_at: DateTime<Utc>,
}

/// A call's state, folded from its events.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Call {
    pub call_id: Option<Uuid>,
    pub tenant_id: Option<TenantId>,
    pub lead_id: Option<Uuid>,
    pub direction: CallDirection,
    pub phone: Option<PhoneNumber>,
    pub purpose: Option<String>,
    pub language: Language,
    pub provider: String,
    pub provider_call_id: String,
    pub status: CallStatus,
    pub conversation_state: ConversationState,
    pub opening_message: Option<String>,
    pub turns: Vec<CallTurn>,
    pub created_at: Option<DateTime<Utc>>,
    pub started_at: Option<DateTime<Utc>>,
    pub ended_at: Option<DateTime<Utc>>,
    pub completed: Option<CallCompleted>,
}

impl Call {
    /// Decides the events of `command`; an empty list means the call already is as asked.
    pub fn decide(&self, command: &CallCommand) -> Result<Vec<CallEvent>, CallError> {
        let (tenant_id, at) = (command.tenant_id, command.issued_at);
        if let CallAction::Create(create) = &command.action {
            if self.call_id.is_some() {
                return Err(CallError::AlreadyExists);
            }
            return Ok(vec![CallEvent::Created(CallCreated {
                tenant_id,
                call_id: create.call_id,
                lead_id: create.lead_id,
                direction: create.direction,
                phone: create.phone.as_str().to_string(),
                purpose: create.purpose.clone(),
                language: create.language,
                provider: create.provider.clone(),
                provider_call_id: create.provider_call_id.clone(),
                created_at: at,
            })]);
        }
        if self.call_id.is_none() || self.tenant_id != Some(tenant_id) {
            return Err(CallError::NotFound);
        }
        let failed = |reason: &str| {
            vec![CallEvent::Failed(CallFailed {
                tenant_id,
                reason: reason.to_string(),
                failed_at: at,
            })]
        };
        Ok(match (&command.action, self.status) {
            (CallAction::Create(_), _) => unreachable!("handled above"),
            // Ending or failing twice, or starting again, changes nothing: providers repeat themselves.
            (CallAction::Start { .. }, CallStatus::InProgress) => vec![],
            (CallAction::End { .. } | CallAction::Fail { .. }, status) if status.is_finished() => vec![],
            (_, status) if status.is_finished() => return Err(CallError::Finished(status.as_str())),
            (CallAction::Start { opening_message }, _) => vec![CallEvent::Started(CallStarted {
                tenant_id,
                opening_message: opening_message.clone(),
                started_at: at,
            })],
            (
                CallAction::RecordTurn {
                    customer_text,
                    reply,
                    analysis,
                    state,
                    should_continue,
                },
                _,
            ) => {
                self.takes_a_turn(tenant_id)?;
                vec![CallEvent::TurnRecorded(TurnRecorded {
                    tenant_id,
                    index: self.turns.len() as u32,
                    customer_text: customer_text.clone(),
                    reply: reply.clone(),
                    analysis: analysis.clone(),
                    conversation_state: *state,
                    should_continue: *should_continue,
                    recorded_at: at,
                })]
            }
            (CallAction::Fail { reason }, _) => failed(reason),
            (CallAction::End { reason, .. }, CallStatus::Queued) => failed(reason),
            (CallAction::End { reason, .. }, _) if FAILURE_REASONS.contains(&reason.as_str()) => failed(reason),
            (CallAction::End { reason, outcome }, _) => {
                let turns: Vec<SummarizedTurn<'_>> = self
                    .turns
                    .iter()
                    .map(|t| SummarizedTurn {
                        analysis: &t.analysis,
                        state: t.conversation_state,
                    })
                    .collect();
                let (summary, analytics) = summarize(&turns, self.started_at, at, outcome.clone());
                vec![CallEvent::Completed(CallCompleted {
                    tenant_id,
                    reason: reason.clone(),
                    summary,
                    analytics,
                    ended_at: at,
                })]
            }
        })
    }

    /// Whether the call takes a turn now: it exists for `tenant_id`, was answered, has not
    /// ended and has room for one more.
    pub fn takes_a_turn(&self, tenant_id: TenantId) -> Result<(), CallError> {
        if !self.belongs_to(tenant_id) {
            return Err(CallError::NotFound);
        }
        match self.status {
            CallStatus::Queued => Err(CallError::NotStarted),
            status if status.is_finished() => Err(CallError::Finished(status.as_str())),
            _ if self.turns.len() >= MAX_TURNS => Err(CallError::TooManyTurns),
            _ => Ok(()),
        }
    }

    /// Whether the call exists for `tenant_id`.
    pub fn belongs_to(&self, tenant_id: TenantId) -> bool {
        self.call_id.is_some() && self.tenant_id == Some(tenant_id)
    }
}

impl Aggregate for Call {
    const TYPE: &'static str = "call";
    type Command = CallCommand;
    type Event = CallEvent;
    type Error = CallError;
    type Services = ();

    async fn handle(&mut self, command: CallCommand, _: &(), sink: &EventSink<Self>) -> Result<(), CallError> {
        for event in self.decide(&command)? {
            sink.write(event, self).await;
        }
        Ok(())
    }

    fn apply(&mut self, event: CallEvent) {
        match event {
            CallEvent::Created(e) => {
                *self = Call {
                    call_id: Some(e.call_id),
                    tenant_id: Some(e.tenant_id),
                    lead_id: Some(e.lead_id),
                    direction: e.direction,
                    phone: PhoneNumber::parse(&e.phone).ok(),
                    purpose: e.purpose,
                    language: e.language,
                    provider: e.provider,
                    provider_call_id: e.provider_call_id,
                    created_at: Some(e.created_at),
                    ..Call::default()
                }
            }
            CallEvent::Started(e) => {
                self.status = CallStatus::InProgress;
                self.opening_message = Some(e.opening_message);
                self.started_at = Some(e.started_at);
            }
            CallEvent::TurnRecorded(e) => {
                self.conversation_state = e.conversation_state;
                self.turns.push(CallTurn {
                    index: e.index,
                    customer_text: e.customer_text,
                    reply: e.reply,
                    analysis: e.analysis,
                    conversation_state: e.conversation_state,
                    recorded_at: e.recorded_at,
                });
            }
            CallEvent::Completed(e) => {
                self.status = CallStatus::Completed;
                self.ended_at = Some(e.ended_at);
                self.completed = Some(e);
            }
            CallEvent::Failed(e) => {
                self.status = CallStatus::Failed;
                self.ended_at = Some(e.failed_at);
            }
        }
    }
}
