use serde::{Deserialize, Serialize};
use std::fmt;
use uuid::Uuid;

use crate::FieldError;

/// The tenant (business or broker) that owns a piece of data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(transparent)]
pub struct TenantId(pub Uuid);

impl fmt::Display for TenantId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A user of the tenant who works leads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AgentId(pub Uuid);

impl AgentId {
    /// Parses an agent id given as text.
    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        Uuid::parse_str(raw.trim())
            .map(AgentId)
            .map_err(|_| FieldError::new(field, "must be a UUID"))
    }
}

impl fmt::Display for AgentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}
