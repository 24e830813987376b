use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::scoring::Tier;
use crate::values::TenantId;

/// A request to a batch, on behalf of one tenant, at one instant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BatchCommand {
    pub tenant_id: TenantId,
    pub issued_at: DateTime<Utc>,
    pub action: BatchAction,
}

/// What the command asks for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum BatchAction {
    Submit(SubmitBatch),
    /// One item's outcome; the batch completes itself with the last one.
    Record {
        index: u32,
        outcome: ItemOutcome,
    },
}

/// A new batch of `total` leads (their inputs are kept beside the stream, not in it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubmitBatch {
    pub batch_id: Uuid,
    pub total: u32,
    /// Who submitted it: the actor its lead commands run as.
    pub submitted_by: String,
    /// `low`, `normal` or `high`.
    pub priority: String,
    /// Where the submitter wants to hear that the batch finished.
    pub webhook_url: Option<String>,
}

/// How one item went.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ItemOutcome {
    Qualified {
        lead_id: Uuid,
        email: Option<String>,
        score: f64,
        tier: Tier,
    },
    Failed {
        email: Option<String>,
        error: String,
    },
}
