//! The JSON bodies lead commands accept, and their parsing into validated domain values.
//! Field names follow the seeds; where seeds disagree both spellings are accepted.

use leadstream_domain::lead::{CreateLead, LeadChanges, LogActivity};
use leadstream_domain::values::*;
use leadstream_domain::{FieldError, ValidationErrors};
use serde::Deserialize;
use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

/// `POST /api/v1/leads`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateLeadRequest {
    #[serde(flatten)]
    fields: LeadFields,
}

/// `PATCH`/`PUT /api/v1/leads/{id}`: every field optional.
#[derive(Debug, Deserialize, ToSchema)]
pub struct UpdateLeadRequest {
    #[serde(flatten)]
    fields: LeadFields,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
struct LeadFields {
    name: Option<String>,
    #[serde(alias = "firstName")]
    first_name: Option<String>,
    #[serde(alias = "lastName")]
    last_name: Option<String>,
    email: Option<String>,
    #[serde(alias = "phone_number")]
    phone: Option<String>,
    company: Option<String>,
    #[serde(alias = "job_title")]
    title: Option<String>,
    industry: Option<String>,
    source: Option<String>,
    message: Option<String>,
    notes: Option<String>,
    tags: Option<Vec<String>>,
    metadata: Option<Value>,
    status: Option<String>,
    #[serde(alias = "stage")]
    pipeline_stage: Option<String>,
    /// Refused: the scoring engine owns the score. Named here so a client that sends it is told.
    #[serde(alias = "lead_score")]
    #[schema(value_type = Option<f64>)]
    score: Option<serde_json::Value>,
}

/// The fields of a create or update, each parsed once.
struct ParsedFields {
    changes: LeadChanges,
    status: Option<LeadStatus>,
    stage: Option<PipelineStage>,
}

impl LeadFields {
    fn parse(self) -> Result<ParsedFields, ValidationErrors> {
        let mut e = ValidationErrors::default();
        let name = |field: &'static str| move |raw: String| PersonName::parse(field, &raw);
        let short = |field: &'static str| move |raw: String| ShortText::parse(field, &raw);
        let long = |field: &'static str| move |raw: String| LongText::parse(field, &raw);
        let changes = LeadChanges {
            name: e.check_opt(self.name, name("name")),
            first_name: e.check_opt(self.first_name, name("first_name")),
            last_name: e.check_opt(self.last_name, name("last_name")),
            email: e.check_opt(self.email, |raw| EmailAddress::parse(&raw)),
            phone: e.check_opt(self.phone, |raw| PhoneNumber::parse(&raw)),
            company: e.check_opt(self.company, short("company")),
            title: e.check_opt(self.title, short("title")),
            industry: e.check_opt(self.industry, short("industry")),
            source: e.check_opt(self.source, |raw| LeadSource::parse(&raw)),
            message: e.check_opt(self.message, long("message")),
            notes: e.check_opt(self.notes, long("notes")),
            tags: e.check_opt(self.tags, |raw| Tags::parse(&raw)),
            metadata: e.check_opt(self.metadata, |raw| Metadata::parse("metadata", raw)),
            score: e.check_opt(self.score, |_| {
                Err::<LeadScore, _>(FieldError::new(
                    "score",
                    "is computed by the scoring engine; POST /api/v1/leads/{id}/score to rescore",
                ))
            }),
        };
        let status = e.check_opt(self.status, |raw| LeadStatus::parse(&raw));
        let stage = e.check_opt(self.pipeline_stage, |raw| {
            PipelineStage::parse(&raw).map_err(|e| e.for_field("pipeline_stage"))
        });
        e.into_result(|| ParsedFields { changes, status, stage })
    }
}

impl CreateLeadRequest {
    /// The create command's payload for a lead that will have id `lead_id`.
    pub fn parse(self, lead_id: Uuid) -> Result<CreateLead, ValidationErrors> {
        let ParsedFields {
            changes: c,
            status,
            stage,
        } = self.fields.parse()?;
        Ok(CreateLead {
            lead_id,
            name: c.name,
            first_name: c.first_name,
            last_name: c.last_name,
            email: c.email,
            phone: c.phone,
            company: c.company,
            title: c.title,
            industry: c.industry,
            source: c.source,
            message: c.message,
            notes: c.notes,
            tags: c.tags.unwrap_or_default(),
            metadata: c.metadata.unwrap_or_default(),
            status,
            pipeline_stage: stage,
            score: c.score,
        })
    }
}

impl UpdateLeadRequest {
    /// The field changes, status and stage an update asks for.
    pub fn parse(self) -> Result<(LeadChanges, Option<LeadStatus>, Option<PipelineStage>), ValidationErrors> {
        let ParsedFields { changes, status, stage } = self.fields.parse()?;
        Ok((changes, status, stage))
    }
}

/// `PUT /api/v1/leads/{id}/assign`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct AssignRequest {
    #[serde(alias = "assigned_to", alias = "user_id")]
    agent_id: Option<String>,
}

impl AssignRequest {
    /// The agent to assign to.
    pub fn parse(self) -> Result<AgentId, ValidationErrors> {
        required("agent_id", self.agent_id, |raw| AgentId::parse("agent_id", &raw))
    }
}

/// `PUT /api/v1/leads/{id}/pipeline`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct MoveStageRequest {
    #[serde(alias = "pipeline_stage")]
    stage: Option<String>,
}

impl MoveStageRequest {
    /// The stage to move to.
    pub fn parse(self) -> Result<PipelineStage, ValidationErrors> {
        required("stage", self.stage, |raw| PipelineStage::parse(&raw))
    }
}

/// `PUT /api/v1/leads/{id}/status`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ChangeStatusRequest {
    status: Option<String>,
    reason: Option<String>,
}

impl ChangeStatusRequest {
    /// The new status and why.
    pub fn parse(self) -> Result<(LeadStatus, Option<LongText>), ValidationErrors> {
        let mut e = ValidationErrors::default();
        let status = e.check(required_field("status", self.status).and_then(|raw| LeadStatus::parse(&raw)));
        let reason = e.check_opt(self.reason, |raw| LongText::parse("reason", &raw));
        match status {
            Some(status) if e.0.is_empty() => Ok((status, reason)),
            _ => Err(e),
        }
    }
}

/// `POST /api/v1/leads/{id}/activities`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct LogActivityRequest {
    #[serde(alias = "type")]
    activity_type: Option<String>,
    description: Option<String>,
    metadata: Option<Value>,
}

impl LogActivityRequest {
    /// The activity to log.
    pub fn parse(self) -> Result<LogActivity, ValidationErrors> {
        let mut e = ValidationErrors::default();
        let activity_type =
            e.check(required_field("activity_type", self.activity_type).and_then(|raw| ActivityType::parse(&raw)));
        let description = e.check_opt(self.description, |raw| LongText::parse("description", &raw));
        let metadata = e.check_opt(self.metadata, |raw| Metadata::parse("metadata", raw));
        let activity_type = match activity_type {
            Some(t) if e.0.is_empty() => t,
            _ => return Err(e),
        };
        Ok(LogActivity {
            activity_type,
            description,
            metadata: metadata.unwrap_or_default(),
        })
    }
}

/// `POST /api/v1/leads/{id}/notes`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct AddNoteRequest {
    #[serde(alias = "content", alias = "text")]
    note: Option<String>,
}

impl AddNoteRequest {
    /// The note's text.
    pub fn parse(self) -> Result<LongText, ValidationErrors> {
        required("note", self.note, |raw| LongText::parse("note", &raw))
    }
}

/// `POST /api/v1/leads/{id}/tags`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct AddTagsRequest {
    tags: Option<Vec<String>>,
}

impl AddTagsRequest {
    /// The tags to add.
    pub fn parse(self) -> Result<Tags, ValidationErrors> {
        required("tags", self.tags, |raw| Tags::parse(&raw))
    }
}

/// A field that must be present.
pub(super) fn required_field<T>(field: &str, raw: Option<T>) -> Result<T, FieldError> {
    raw.ok_or_else(|| FieldError::new(field, "is required"))
}

/// An id given in a body field: a UUID, or an error naming the field.
pub(super) fn uuid_field(field: &str, raw: &str) -> Result<Uuid, FieldError> {
    Uuid::parse_str(raw.trim()).map_err(|_| FieldError::new(field, "must be an id (a UUID)"))
}

fn required<R, T>(
    field: &str,
    raw: Option<R>,
    parse: impl FnOnce(R) -> Result<T, FieldError>,
) -> Result<T, ValidationErrors> {
    required_field(field, raw)
        .and_then(parse)
        .map_err(|e| ValidationErrors(vec![e]))
}
