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

/// An event as stored: the outbox row and the event-store row it points at.
#[derive(Debug, Clone)]
pub struct StoredEvent {
    pub position: i64,
    pub event_id: Uuid,
    pub aggregate_type: String,
    pub aggregate_id: String,
    pub sequence: i64,
    pub event_type: String,
    pub event_version: String,
    /// The serialised domain event: `{"event_type": …, "data": …}`.
    pub payload: Value,
    /// The command metadata (see [`metadata_keys`]).
    pub metadata: Value,
    pub recorded_at: DateTime<Utc>,
}

impl From<StoredEvent> for Envelope {
    fn from(stored: StoredEvent) -> Self {
        let meta = |key: &str| stored.metadata.get(key).and_then(Value::as_str).map(str::to_owned);
        let occurred_at = meta(metadata_keys::OCCURRED_AT)
            .and_then(|t| DateTime::parse_from_rfc3339(&t).ok())
            .map_or(stored.recorded_at, |t| t.with_timezone(&Utc));
        let tenant_id = meta(metadata_keys::TENANT_ID).and_then(|t| Uuid::parse_str(&t).ok());
        Envelope {
            event_id: stored.event_id,
            event_type: stored.event_type,
            event_version: stored.event_version,
            aggregate_type: stored.aggregate_type,
            aggregate_id: stored.aggregate_id,
            sequence: stored.sequence,
            position: stored.position,
            tenant_id,
            occurred_at,
            correlation_id: meta(metadata_keys::CORRELATION_ID),
            causation_id: meta(metadata_keys::CAUSATION_ID),
            actor: meta(metadata_keys::ACTOR),
            data: stored.payload.get("data").cloned().unwrap_or(Value::Null),
        }
    }
}

/// The head of every query that reads stored events (the outbox joined to the event store), so
/// the relay and the rebuild select the same columns; callers append their WHERE and ORDER BY.
pub const SELECT_STORED_EVENTS_SQL: &str = "
SELECT o.position, o.event_id, o.aggregate_type, o.aggregate_id, o.sequence, o.recorded_at,
       e.event_type, e.event_version, e.payload, e.metadata
  FROM outbox o
  JOIN events e USING (aggregate_type, aggregate_id, sequence)";
