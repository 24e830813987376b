//! The stored event log, read in global order: each outbox row joined to its event in the event
//! store, decoded into the public envelope. The relay, the rebuild and analysts' exports all read
//! it the same way.

use chrono::{DateTime, Utc};
use leadstream_domain::envelope::{metadata_keys, Envelope};
use serde_json::Value;
use sqlx::postgres::PgRow;
use sqlx::Row;

pub mod personal_data;
use uuid::Uuid;

/// The head of every query that reads stored events (the outbox joined to the event store);
/// callers append their WHERE and ORDER BY, and decode rows with [`read_envelope`].
pub const SELECT_STORED_EVENTS_SQL: &str = "
SELECT o.position, o.event_id, o.aggregate_type, o.aggregate_id, o.sequence, o.recorded_at,
       e.event_type, e.event_version, e.payload, e.metadata
  FROM outbox o
  JOIN events e USING (aggregate_type, aggregate_id, sequence)";

/// Decodes one row of [`SELECT_STORED_EVENTS_SQL`].
pub fn read_envelope(row: &PgRow) -> Result<Envelope, sqlx::Error> {
    Ok(Envelope::from(StoredEvent {
        position: row.try_get("position")?,
        event_id: row.try_get("event_id")?,
        aggregate_type: row.try_get("aggregate_type")?,
        aggregate_id: row.try_get("aggregate_id")?,
        sequence: row.try_get("sequence")?,
        event_type: row.try_get("event_type")?,
        event_version: row.try_get("event_version")?,
        payload: row.try_get("payload")?,
        metadata: row.try_get("metadata")?,
        recorded_at: row.try_get("recorded_at")?,
    }))
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
