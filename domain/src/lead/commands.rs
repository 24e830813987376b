use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::lead::{Enrichment, EnrichmentInput, LeadAccess, ReceivedMessage, SentMessage};
use crate::scoring::{QualificationCriteria, ScoringWeights};
use crate::values::{
    ActivityType, AgentId, EmailAddress, LeadScore, LeadSource, LeadStatus, LongText, Metadata, PersonName,
    PhoneNumber, PipelineStage, ShortText, Tags, TenantId,
};

/// A request to change one lead, on behalf of one tenant, at one instant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LeadCommand {
    pub tenant_id: TenantId,
    /// When the command was issued; the domain reads no clock of its own.
    pub issued_at: DateTime<Utc>,
    /// Which of the tenant's leads the caller may touch.
    pub access: LeadAccess,
    /// The tenant's current scoring weights: a lead is rescored with them whenever its
    /// qualification would change.
    pub weights: ScoringWeights,
    pub action: LeadAction,
}

/// What the command asks for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum LeadAction {
    Create(Box<CreateLead>),
    /// A partial update; status and stage changes ride along as their own events.
    Update {
        changes: Box<LeadChanges>,
        status: Option<LeadStatus>,
        stage: Option<PipelineStage>,
    },
    Erase,
    Assign {
        agent_id: AgentId,
    },
    MoveToStage {
        stage: PipelineStage,
    },
    ChangeStatus {
        status: LeadStatus,
        reason: Option<LongText>,
    },
    LogActivity(LogActivity),
    AddNote {
        note: LongText,
    },
    AddTags {
        tags: Tags,
    },
    /// Score again with the current weights (a no-op when nothing would change).
    Rescore,
    /// Record what is known about the lead and qualify it: always a `lead.qualified`.
    Qualify(Box<Qualification>),
    /// A new lead, qualified as it arrives: created, enriched and qualified in one append.
    CreateQualified {
        lead: Box<CreateLead>,
        qualification: Box<Qualification>,
    },
    /// Hand the lead to a CRM; the receipt is what the CRM answered.
    Route(Box<CrmRoute>),
    /// Record a message a provider accepted for the lead.
    RecordMessage(Box<SentMessage>),
    /// Record a message the lead sent us.
    ReceiveMessage(Box<ReceivedMessage>),
}

/// What a qualification adds: stated criteria and, when an enricher ran, what it found.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Qualification {
    pub criteria: QualificationCriteria,
    pub enrichment: Option<Enrichment>,
}

/// A lead sent to a CRM.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CrmRoute {
    /// `hubspot` or `salesforce`.
    pub crm: String,
    pub pipeline_id: Option<ShortText>,
    pub owner_email: Option<EmailAddress>,
    /// The CRM's own id for the record it made or updated.
    pub external_id: String,
}

/// Everything known about a lead when it arrives.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CreateLead {
    pub lead_id: Uuid,
    pub name: Option<PersonName>,
    pub first_name: Option<PersonName>,
    pub last_name: Option<PersonName>,
    pub email: Option<EmailAddress>,
    pub phone: Option<PhoneNumber>,
    pub company: Option<ShortText>,
    pub title: Option<ShortText>,
    pub industry: Option<ShortText>,
    pub source: Option<LeadSource>,
    pub message: Option<LongText>,
    pub notes: Option<LongText>,
    pub tags: Tags,
    pub metadata: Metadata,
    pub status: Option<LeadStatus>,
    pub pipeline_stage: Option<PipelineStage>,
    pub score: Option<LeadScore>,
}

impl CreateLead {
    /// What an enricher is given about the lead this creates.
    pub fn enrichment_input(&self) -> EnrichmentInput {
        EnrichmentInput::of(&self.email, &self.phone, &self.company, &self.industry, &self.metadata)
    }
}

/// A partial update: `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LeadChanges {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<PersonName>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_name: Option<PersonName>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_name: Option<PersonName>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<EmailAddress>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<PhoneNumber>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub company: Option<ShortText>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<ShortText>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub industry: Option<ShortText>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<LeadSource>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<LongText>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notes: Option<LongText>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tags: Option<Tags>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Metadata>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<LeadScore>,
}

impl LeadChanges {
    /// True when the update names no field at all.
    pub fn is_empty(&self) -> bool {
        self == &Self::default()
    }
}

/// Something that happened with the lead: a call, a visit, an opened e-mail.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogActivity {
    pub activity_type: ActivityType,
    pub description: Option<LongText>,
    pub metadata: Metadata,
}
