//! The event envelope: what every Kafka message value and every replayed event looks like.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

/// One published event with its position in the global order and its causal metadata.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Envelope {
    pub event_id: Uuid,
    pub event_type: String,
    pub event_version: String,
    pub aggregate_type: String,
    pub aggregate_id: String,
    pub sequence: i64,
    pub position: i64,
    pub tenant_id: Option<Uuid>,
    pub occurred_at: DateTime<Utc>,
    pub correlation_id: Option<String>,
    pub causation_id: Option<String>,
    pub actor: Option<String>,
    pub data: Value,
}

impl Envelope {
    /// Decodes `data` as a typed event whose serde form is `{"event_type", "data"}`.
    pub fn decode<E: serde::de::DeserializeOwned>(&self) -> Result<E, serde_json::Error> {
        serde_json::from_value(serde_json::json!({
            "event_type": self.event_type,
            "data": self.data,
        }))
    }
}

/// The Kafka topic that carries one aggregate type's events.
pub fn topic_name(prefix: &str, aggregate_type: &str) -> String {
    format!("{prefix}{aggregate_type}")
}

/// Keys of the command metadata stored beside each event and copied into its envelope.
pub mod metadata_keys {
    pub const TENANT_ID: &str = "tenant_id";
    pub const OCCURRED_AT: &str = "occurred_at";
    pub const CORRELATION_ID: &str = "correlation_id";
    pub const CAUSATION_ID: &str = "causation_id";
    pub const ACTOR: &str = "actor";
}
