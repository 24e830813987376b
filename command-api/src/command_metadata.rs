use chrono::{DateTime, Utc};
use leadstream_domain::envelope::metadata_keys;
use leadstream_domain::values::TenantId;
use std::collections::HashMap;

/// Who issued a command, when, and as part of what: stored beside every event it produces.
#[derive(Debug, Clone)]
pub struct CommandMetadata {
    pub tenant_id: TenantId,
    pub issued_at: DateTime<Utc>,
    pub actor: String,
    /// Ties together every event caused by one business flow (the client's, or the request id).
    pub correlation_id: String,
    /// What directly caused these events: the HTTP request's id.
    pub causation_id: String,
}

impl CommandMetadata {
    /// The metadata map postgres-es stores with each event.
    pub fn to_map(&self) -> HashMap<String, String> {
        HashMap::from([
            (metadata_keys::TENANT_ID.to_string(), self.tenant_id.to_string()),
            (metadata_keys::OCCURRED_AT.to_string(), self.issued_at.to_rfc3339()),
            (metadata_keys::ACTOR.to_string(), self.actor.clone()),
            (metadata_keys::CORRELATION_ID.to_string(), self.correlation_id.clone()),
            (metadata_keys::CAUSATION_ID.to_string(), self.causation_id.clone()),
        ])
    }
}
