use chrono::{DateTime, Utc};
use cqrs_es::DomainEvent;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::scoring::Tier;
use crate::values::TenantId;
use crate::EventContract;

/// Everything that can happen to a batch, serialised like the lead's events.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event_type", content = "data")]
pub enum BatchEvent {
    #[serde(rename = "batch.submitted")]
    Submitted(BatchSubmitted),
    #[serde(rename = "batch.item_qualified")]
    ItemQualified(ItemQualified),
    #[serde(rename = "batch.item_failed")]
    ItemFailed(ItemFailed),
    #[serde(rename = "batch.completed")]
    Completed(BatchCompleted),
    #[serde(rename = "batch.failed")]
    Failed(BatchFailed),
}

/// A batch was accepted for qualification.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BatchSubmitted {
    pub tenant_id: TenantId,
    pub batch_id: Uuid,
    pub total: u32,
    pub submitted_by: String,
    pub priority: String,
    pub webhook_url: Option<String>,
    pub submitted_at: DateTime<Utc>,
}

/// One item became a qualified lead.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemQualified {
    pub tenant_id: TenantId,
    pub index: u32,
    pub lead_id: Uuid,
    pub email: Option<String>,
    pub score: f64,
    pub tier: Tier,
    pub processed_at: DateTime<Utc>,
}

/// One item could not become a lead.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemFailed {
    pub tenant_id: TenantId,
    pub index: u32,
    pub email: Option<String>,
    pub error: String,
    pub processed_at: DateTime<Utc>,
}

/// Every item has an outcome and at least one was qualified.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BatchCompleted {
    pub tenant_id: TenantId,
    pub total: u32,
    pub processed: u32,
    pub failed: u32,
    pub processing_time_ms: u64,
    pub webhook_url: Option<String>,
    pub completed_at: DateTime<Utc>,
}

/// Every item has an outcome and none was qualified.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BatchFailed {
    pub tenant_id: TenantId,
    pub total: u32,
    pub failed: u32,
    pub webhook_url: Option<String>,
    pub failed_at: DateTime<Utc>,
}

impl BatchEvent {
    /// The tenant that owns the batch.
    pub fn tenant_id(&self) -> TenantId {
        match self {
            Self::Submitted(e) => e.tenant_id,
            Self::ItemQualified(e) => e.tenant_id,
            Self::ItemFailed(e) => e.tenant_id,
            Self::Completed(e) => e.tenant_id,
            Self::Failed(e) => e.tenant_id,
        }
    }

    /// The dotted public name, e.g. `batch.completed`.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Submitted(_) => "batch.submitted",
            Self::ItemQualified(_) => "batch.item_qualified",
            Self::ItemFailed(_) => "batch.item_failed",
            Self::Completed(_) => "batch.completed",
            Self::Failed(_) => "batch.failed",
        }
    }
}

impl DomainEvent for BatchEvent {
    fn event_type(&self) -> String {
        self.name().to_string()
    }

    fn event_version(&self) -> String {
        "1".to_string()
    }
}

impl EventContract for BatchEvent {
    const AGGREGATE_TYPE: &'static str = "batch";
    const EVENT_TYPES: &'static [(&'static str, &'static str)] = &[
        ("batch.submitted", "1"),
        ("batch.item_qualified", "1"),
        ("batch.item_failed", "1"),
        ("batch.completed", "1"),
        ("batch.failed", "1"),
    ];
}
