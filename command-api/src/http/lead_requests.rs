//! The JSON bodies lead commands accept, and their parsing into validated domain values.
//! Field names follow the seeds; where seeds disagree both spellings are accepted.

use leadstream_domain::lead::{CreateLead, LeadChanges, LogActivity};
use leadstream_domain::values::*;
use leadstream_domain::{FieldError, ValidationErrors};
use serde::Deserialize;
use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

/// `POST /api/v1/leads`: an e-mail or a phone is required.
#[derive(Debug, Deserialize)]
#[serde(transparent)]
pub struct CreateLeadRequest {
    fields: LeadFields,
}

impl utoipa::PartialSchema for CreateLeadRequest {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
        leadstream_api_conventions::field_schema::requiring("LeadFields", &[], &["email", "phone"])
    }
}

impl ToSchema for CreateLeadRequest {
    fn schemas(schemas: &mut Vec<(String, utoipa::openapi::RefOr<utoipa::openapi::Schema>)>) {
        schemas.push(("LeadFields".into(), <LeadFields as utoipa::PartialSchema>::schema()));
        <LeadFields as ToSchema>::schemas(schemas);
    }
}

/// `PATCH`/`PUT /api/v1/leads/{id}`: every field optional.
#[derive(Debug, Deserialize)]
#[serde(transparent)]
pub struct UpdateLeadRequest {
    fields: LeadFields,
}

impl utoipa::PartialSchema for UpdateLeadRequest {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
        utoipa::openapi::Ref::from_schema_name("LeadFields").into()
    }
}

impl ToSchema for UpdateLeadRequest {
    fn schemas(schemas: &mut Vec<(String, utoipa::openapi::RefOr<utoipa::openapi::Schema>)>) {
        <CreateLeadRequest as ToSchema>::schemas(schemas);
    }
}

#[derive(Debug, Default, Deserialize, ToSchema)]
struct LeadFields {
    #[schema(schema_with = leadstream_api_conventions::field_schema::person_name_or_null)]
    name: Option<String>,
    #[serde(alias = "firstName")]
    #[schema(schema_with = leadstream_api_conventions::field_schema::person_name_or_null)]
    first_name: Option<String>,
    #[serde(alias = "lastName")]
    #[schema(schema_with = leadstream_api_conventions::field_schema::person_name_or_null)]
    last_name: Option<String>,
    #[schema(schema_with = leadstream_api_conventions::field_schema::email_or_null)]
    email: Option<String>,
    #[serde(alias = "phone_number")]
    #[schema(schema_with = leadstream_api_conventions::field_schema::phone_or_null)]
    phone: Option<String>,
    #[schema(schema_with = leadstream_api_conventions::field_schema::short_text_or_null)]
    company: Option<String>,
    #[serde(alias = "job_title")]
    #[schema(schema_with = leadstream_api_conventions::field_schema::short_text_or_null)]
    title: Option<String>,
    #[schema(schema_with = leadstream_api_conventions::field_schema::short_text_or_null)]
    industry: Option<String>,
    #[schema(schema_with = leadstream_api_conventions::field_schema::slug_or_null)]
    source: Option<String>,
    #[schema(schema_with = leadstream_api_conventions::field_schema::long_text_or_null)]
    message: Option<String>,
    #[schema(schema_with = leadstream_api_conventions::field_schema::long_text_or_null)]
    notes: Option<String>,
    #[schema(schema_with = leadstream_api_conventions::field_schema::tags_or_null)]
    tags: Option<Vec<String>>,
    #[schema(schema_with = leadstream_api_conventions::field_schema::metadata_or_null)]
    metadata: Option<Value>,
    #[schema(schema_with = leadstream_api_conventions::field_schema::lead_status_or_null)]
    status: Option<String>,
    #[serde(alias = "stage")]
    #[schema(schema_with = leadstream_api_conventions::field_schema::pipeline_stage_or_null)]
    pipeline_stage: Option<String>,
    /// Refused: the scoring engine owns the score, so the document offers no value for it; a
    /// client that sends one is told why.
    #[serde(alias = "lead_score")]
    #[schema(schema_with = leadstream_api_conventions::field_schema::refused)]
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
    #[schema(schema_with = leadstream_api_conventions::field_schema::id, required = true)]
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
    #[schema(schema_with = leadstream_api_conventions::field_schema::pipeline_stage, required = true)]
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
    #[schema(schema_with = leadstream_api_conventions::field_schema::lead_status, required = true)]
    status: Option<String>,
    #[schema(schema_with = leadstream_api_conventions::field_schema::long_text_or_null)]
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
    #[schema(schema_with = leadstream_api_conventions::field_schema::slug, required = true)]
    activity_type: Option<String>,
    #[schema(schema_with = leadstream_api_conventions::field_schema::long_text_or_null)]
    description: Option<String>,
    #[schema(schema_with = leadstream_api_conventions::field_schema::metadata_or_null)]
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
    #[schema(schema_with = leadstream_api_conventions::field_schema::long_text, required = true)]
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
    #[schema(schema_with = leadstream_api_conventions::field_schema::tags, required = true)]
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
