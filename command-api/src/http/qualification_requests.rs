//! The bodies of the qualification and CRM endpoints.

use leadstream_api_conventions::{parse_json_value, ApiError};
use leadstream_domain::lead::CreateLead;
use leadstream_domain::scoring::{BudgetLevel, QualificationCriteria, Timeline};
use leadstream_domain::values::{EmailAddress, ShortText};
use leadstream_domain::{FieldError, ValidationErrors};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::lead_requests::CreateLeadRequest;

/// What the person qualifying a lead states (seed 002). Every answer is optional.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct CriteriaRequest {
    /// `high`, `medium` or `low`.
    #[schema(schema_with = leadstream_api_conventions::field_schema::budget_or_null)]
    budget: Option<String>,
    /// `immediate`, `short_term` or `long_term` (also `this_month`, `this_quarter`, `later`, …).
    #[schema(schema_with = leadstream_api_conventions::field_schema::timeline_or_null)]
    timeline: Option<String>,
    decision_maker: Option<bool>,
}

impl CriteriaRequest {
    fn parse(self, e: &mut ValidationErrors) -> QualificationCriteria {
        QualificationCriteria {
            budget: e.check_opt(self.budget, |raw| BudgetLevel::parse(&raw)),
            timeline: e.check_opt(self.timeline, |raw| Timeline::parse(&raw)),
            decision_maker: self.decision_maker,
        }
    }
}

/// `POST /api/v1/leads/{id}/qualify`.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct QualifyLeadRequest {
    criteria: Option<CriteriaRequest>,
}

impl QualifyLeadRequest {
    /// The stated criteria.
    pub fn parse(self) -> Result<QualificationCriteria, ValidationErrors> {
        let mut e = ValidationErrors::default();
        let criteria = self.criteria.unwrap_or_default().parse(&mut e);
        e.into_result(|| criteria)
    }
}

/// `POST /api/v1/qualify`: one inbound lead (seed 001), created and qualified in one call.
/// `email` and `company` are required; every lead field is accepted.
#[derive(Debug)]
pub struct QualifyRequest {
    lead: CreateLeadRequest,
    criteria: Option<CriteriaRequest>,
}

/// The body is one object holding the lead's fields beside `criteria`: each part is read as any
/// body is (what it does not read is dropped, what it reads may not hold NUL), which a
/// `serde(flatten)` would not let the reader tell apart.
impl actix_web::FromRequest for QualifyRequest {
    type Error = actix_web::Error;
    type Future = futures::future::LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &actix_web::HttpRequest, payload: &mut actix_web::dev::Payload) -> Self::Future {
        let body = actix_web::web::Json::<serde_json::Map<String, serde_json::Value>>::from_request(req, payload);
        Box::pin(async move { Ok(Self::from_fields(body.await?.into_inner())?) })
    }
}

impl QualifyRequest {
    /// Reads one lead's object (a body, or a batch's item).
    pub fn from_fields(mut fields: serde_json::Map<String, serde_json::Value>) -> Result<Self, ApiError> {
        let criteria = match fields.remove("criteria") {
            None | Some(serde_json::Value::Null) => None,
            Some(criteria) => Some(parse_json_value::<CriteriaRequest>(criteria)?),
        };
        let lead = parse_json_value::<CreateLeadRequest>(serde_json::Value::Object(fields))?;
        Ok(Self { lead, criteria })
    }
}

/// The criteria part of [`QualifyRequest`], for the document.
#[derive(ToSchema)]
#[allow(dead_code)]
struct QualifyCriteria {
    criteria: Option<CriteriaRequest>,
}

impl utoipa::PartialSchema for QualifyRequest {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
        use utoipa::openapi::schema::{AllOfBuilder, Schema};
        use utoipa::openapi::{Ref, RefOr};
        let lead = leadstream_api_conventions::field_schema::requiring("LeadFields", &["email", "company"], &[]);
        RefOr::T(Schema::AllOf(
            AllOfBuilder::new()
                .item(lead)
                .item(Ref::from_schema_name("QualifyCriteria"))
                .build(),
        ))
    }
}

impl ToSchema for QualifyRequest {
    fn schemas(schemas: &mut Vec<(String, utoipa::openapi::RefOr<utoipa::openapi::Schema>)>) {
        <CreateLeadRequest as ToSchema>::schemas(schemas);
        schemas.push((
            "QualifyCriteria".into(),
            <QualifyCriteria as utoipa::PartialSchema>::schema(),
        ));
        <QualifyCriteria as ToSchema>::schemas(schemas);
    }
}

impl QualifyRequest {
    /// The new lead and its stated criteria.
    pub fn parse(self, lead_id: Uuid) -> Result<(CreateLead, QualificationCriteria), ValidationErrors> {
        let mut e = ValidationErrors::default();
        let criteria = self.criteria.unwrap_or_default().parse(&mut e);
        let lead = match self.lead.parse(lead_id) {
            Ok(lead) => Some(lead),
            Err(more) => {
                e.0.extend(more.0);
                None
            }
        };
        if let Some(lead) = &lead {
            if lead.email.is_none() {
                e.0.push(FieldError::new("email", "is required"));
            }
            if lead.company.is_none() {
                e.0.push(FieldError::new("company", "is required"));
            }
        }
        match lead {
            Some(lead) if e.0.is_empty() => Ok((lead, criteria)),
            _ => Err(e),
        }
    }
}

/// `POST /api/v1/crm/sync` (seed 001).
#[derive(Debug, Deserialize, ToSchema)]
pub struct CrmSyncRequest {
    #[schema(schema_with = leadstream_api_conventions::field_schema::id, required = true)]
    lead_id: Option<String>,
    /// `hubspot` or `salesforce`.
    #[schema(schema_with = leadstream_api_conventions::field_schema::crm, required = true)]
    crm: Option<String>,
    #[schema(schema_with = leadstream_api_conventions::field_schema::short_text_or_null)]
    pipeline_id: Option<String>,
    #[schema(schema_with = leadstream_api_conventions::field_schema::email_or_null)]
    owner_email: Option<String>,
}

/// A parsed CRM sync request.
pub struct CrmSync {
    pub lead_id: Uuid,
    pub crm: &'static str,
    pub pipeline_id: Option<ShortText>,
    pub owner_email: Option<EmailAddress>,
}

impl CrmSyncRequest {
    /// The lead, the CRM and where in it the lead goes.
    pub fn parse(self) -> Result<CrmSync, ValidationErrors> {
        let mut e = ValidationErrors::default();
        let lead_id = e.check(
            super::lead_requests::required_field("lead_id", self.lead_id).and_then(|raw| {
                Uuid::parse_str(raw.trim()).map_err(|_| FieldError::new("lead_id", "must be a lead id (a UUID)"))
            }),
        );
        let crm = e.check(super::lead_requests::required_field("crm", self.crm).and_then(|raw| {
            match raw.trim().to_lowercase().as_str() {
                "hubspot" => Ok("hubspot"),
                "salesforce" => Ok("salesforce"),
                _ => Err(FieldError::new("crm", "must be hubspot or salesforce")),
            }
        }));
        let pipeline_id = e.check_opt(self.pipeline_id, |raw| ShortText::parse("pipeline_id", &raw));
        let owner_email = e.check_opt(self.owner_email, |raw| {
            EmailAddress::parse(&raw).map_err(|e| e.for_field("owner_email"))
        });
        match (lead_id, crm) {
            (Some(lead_id), Some(crm)) if e.0.is_empty() => Ok(CrmSync {
                lead_id,
                crm,
                pipeline_id,
                owner_email,
            }),
            _ => Err(e),
        }
    }
}
