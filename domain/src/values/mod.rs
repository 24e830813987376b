//! Validated value types: each parses once at the edge and is trusted afterwards.

mod bounded_text;
mod email;
mod ids;
mod lead_score;
mod lead_status;
mod metadata;
mod phone;
mod pipeline_stage;
mod tags;

pub use bounded_text::{ActivityType, LeadSource, LongText, PersonName, ShortText};
pub use email::EmailAddress;
pub use ids::{AgentId, TenantId};
pub use lead_score::LeadScore;
pub use lead_status::LeadStatus;
pub use metadata::Metadata;
pub use phone::PhoneNumber;
pub use pipeline_stage::PipelineStage;
pub use tags::{Tag, Tags};
