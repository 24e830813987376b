use chrono::{DateTime, Utc};
use cqrs_es::DomainEvent;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::lead::commands::{CrmRoute, LeadChanges};
use crate::lead::{Enrichment, ReceivedMessage, SentMessage};
use crate::scoring::{QualificationCriteria, RecommendedAction, ScoreCard, Tier};
use crate::values::{
    ActivityType, AgentId, EmailAddress, LeadScore, LeadSource, LeadStatus, LongText, Metadata, PersonName,
    PhoneNumber, PipelineStage, ShortText, Tags, TenantId,
};
use crate::EventContract;

/// Everything that can happen to a lead. Serialised as `{"event_type": …, "data": …}` so the
/// stored payload, the Kafka envelope's `data` and the JSON Schemas all share one shape.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event_type", content = "data")]
pub enum LeadEvent {
    #[serde(rename = "lead.created")]
    Created(Box<LeadCreated>),
    #[serde(rename = "lead.updated")]
    Updated(Box<LeadUpdated>),
    #[serde(rename = "lead.erased")]
    Erased(LeadErased),
    #[serde(rename = "lead.assigned")]
    Assigned(LeadAssigned),
    #[serde(rename = "lead.stage_changed")]
    StageChanged(LeadStageChanged),
    #[serde(rename = "lead.status_changed")]
    StatusChanged(LeadStatusChanged),
    #[serde(rename = "lead.activity_logged")]
    ActivityLogged(ActivityLogged),
    #[serde(rename = "lead.note_added")]
    NoteAdded(NoteAdded),
    #[serde(rename = "lead.tags_added")]
    TagsAdded(TagsAdded),
    #[serde(rename = "lead.scored")]
    Scored(Box<LeadScored>),
    #[serde(rename = "lead.score_changed")]
    ScoreChanged(LeadScoreChanged),
    #[serde(rename = "lead.enriched")]
    Enriched(Box<LeadEnriched>),
    #[serde(rename = "lead.qualified")]
    Qualified(LeadQualified),
    #[serde(rename = "lead.routed")]
    Routed(Box<LeadRouted>),
    #[serde(rename = "lead.message_sent")]
    MessageSent(Box<MessageSent>),
    #[serde(rename = "lead.message_received")]
    MessageReceived(Box<MessageReceived>),
}

/// The lead wrote to us (an inbound SMS or WhatsApp message): a reply, which counts as engagement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MessageReceived {
    pub tenant_id: TenantId,
    #[serde(flatten)]
    pub message: ReceivedMessage,
    pub received_at: DateTime<Utc>,
}

/// An SMS or e-mail went out to the lead.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MessageSent {
    pub tenant_id: TenantId,
    #[serde(flatten)]
    pub message: SentMessage,
    pub sent_at: DateTime<Utc>,
}

/// An enricher added facts about the lead.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LeadEnriched {
    pub tenant_id: TenantId,
    pub enrichment: Enrichment,
    pub enriched_at: DateTime<Utc>,
}

/// Someone qualified the lead: the criteria they stated and the tier it landed in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LeadQualified {
    pub tenant_id: TenantId,
    pub criteria: QualificationCriteria,
    pub overall_score: f64,
    pub tier: Tier,
    pub recommended_action: RecommendedAction,
    pub qualified_at: DateTime<Utc>,
}

/// The lead was handed to a CRM.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LeadRouted {
    pub tenant_id: TenantId,
    #[serde(flatten)]
    pub route: CrmRoute,
    pub routed_at: DateTime<Utc>,
}

/// The lead was (re)qualified: its whole score card, with the weights' version it used.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LeadScored {
    pub tenant_id: TenantId,
    #[serde(flatten)]
    pub card: ScoreCard,
    pub scored_at: DateTime<Utc>,
}

/// The lead moved to another tier (HOT, WARM, COLD).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LeadScoreChanged {
    pub tenant_id: TenantId,
    pub from_tier: Tier,
    pub to_tier: Tier,
    pub from_score: f64,
    pub to_score: f64,
    pub changed_at: DateTime<Utc>,
}

/// A lead arrived.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LeadCreated {
    pub tenant_id: TenantId,
    pub lead_id: Uuid,
    pub name: Option<PersonName>,
    pub first_name: Option<PersonName>,
    pub last_name: Option<PersonName>,
    pub email: Option<EmailAddress>,
    pub phone: Option<PhoneNumber>,
    pub company: Option<ShortText>,
    pub title: Option<ShortText>,
    pub industry: Option<ShortText>,
    pub source: LeadSource,
    pub message: Option<LongText>,
    pub notes: Option<LongText>,
    pub tags: Tags,
    pub metadata: Metadata,
    pub status: LeadStatus,
    pub pipeline_stage: PipelineStage,
    pub score: Option<LeadScore>,
    pub created_at: DateTime<Utc>,
}

/// Some of a lead's fields changed; `changes` holds only the fields whose value moved.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LeadUpdated {
    pub tenant_id: TenantId,
    pub changes: LeadChanges,
    pub updated_at: DateTime<Utc>,
}

/// The lead's personal data must leave every read model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LeadErased {
    pub tenant_id: TenantId,
    pub erased_at: DateTime<Utc>,
}

/// The lead was given to an agent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LeadAssigned {
    pub tenant_id: TenantId,
    pub agent_id: AgentId,
    pub previous_agent_id: Option<AgentId>,
    pub assigned_at: DateTime<Utc>,
}

/// The lead moved to another pipeline stage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LeadStageChanged {
    pub tenant_id: TenantId,
    pub from: PipelineStage,
    pub to: PipelineStage,
    pub changed_at: DateTime<Utc>,
}

/// The lead's qualification status changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LeadStatusChanged {
    pub tenant_id: TenantId,
    pub from: LeadStatus,
    pub to: LeadStatus,
    pub reason: Option<LongText>,
    pub changed_at: DateTime<Utc>,
}

/// Something happened with the lead.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActivityLogged {
    pub tenant_id: TenantId,
    pub activity_type: ActivityType,
    pub description: Option<LongText>,
    pub metadata: Metadata,
    pub occurred_at: DateTime<Utc>,
}

/// A note was written on the lead.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NoteAdded {
    pub tenant_id: TenantId,
    pub note: LongText,
    pub added_at: DateTime<Utc>,
}

/// Tags the lead did not have were added.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TagsAdded {
    pub tenant_id: TenantId,
    pub tags: Tags,
    pub added_at: DateTime<Utc>,
}

impl LeadEvent {
    /// The tenant that owns the lead this event belongs to.
    pub fn tenant_id(&self) -> TenantId {
        match self {
            Self::Created(e) => e.tenant_id,
            Self::Updated(e) => e.tenant_id,
            Self::Erased(e) => e.tenant_id,
            Self::Assigned(e) => e.tenant_id,
            Self::StageChanged(e) => e.tenant_id,
            Self::StatusChanged(e) => e.tenant_id,
            Self::ActivityLogged(e) => e.tenant_id,
            Self::NoteAdded(e) => e.tenant_id,
            Self::TagsAdded(e) => e.tenant_id,
            Self::Scored(e) => e.tenant_id,
            Self::ScoreChanged(e) => e.tenant_id,
            Self::Enriched(e) => e.tenant_id,
            Self::Qualified(e) => e.tenant_id,
            Self::Routed(e) => e.tenant_id,
            Self::MessageSent(e) => e.tenant_id,
            Self::MessageReceived(e) => e.tenant_id,
        }
    }

    /// The dotted public name, e.g. `lead.created`.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Created(_) => "lead.created",
            Self::Updated(_) => "lead.updated",
            Self::Erased(_) => "lead.erased",
            Self::Assigned(_) => "lead.assigned",
            Self::StageChanged(_) => "lead.stage_changed",
            Self::StatusChanged(_) => "lead.status_changed",
            Self::ActivityLogged(_) => "lead.activity_logged",
            Self::NoteAdded(_) => "lead.note_added",
            Self::TagsAdded(_) => "lead.tags_added",
            Self::Scored(_) => "lead.scored",
            Self::ScoreChanged(_) => "lead.score_changed",
            Self::Enriched(_) => "lead.enriched",
            Self::Qualified(_) => "lead.qualified",
            Self::Routed(_) => "lead.routed",
            Self::MessageSent(_) => "lead.message_sent",
            Self::MessageReceived(_) => "lead.message_received",
        }
    }
}

impl DomainEvent for LeadEvent {
    fn event_type(&self) -> String {
        self.name().to_string()
    }

    fn event_version(&self) -> String {
        "1".to_string()
    }
}

impl EventContract for LeadEvent {
    const AGGREGATE_TYPE: &'static str = "lead";
    const EVENT_TYPES: &'static [(&'static str, &'static str)] = &[
        ("lead.created", "1"),
        ("lead.updated", "1"),
        ("lead.erased", "1"),
        ("lead.assigned", "1"),
        ("lead.stage_changed", "1"),
        ("lead.status_changed", "1"),
        ("lead.activity_logged", "1"),
        ("lead.note_added", "1"),
        ("lead.tags_added", "1"),
        ("lead.scored", "1"),
        ("lead.score_changed", "1"),
        ("lead.enriched", "1"),
        ("lead.qualified", "1"),
        ("lead.routed", "1"),
        ("lead.message_sent", "1"),
        ("lead.message_received", "1"),
    ];
}
