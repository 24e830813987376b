use chrono::{DateTime, Utc};
use cqrs_es::persist::EventStoreAggregateContext;
use cqrs_es::{AggregateError, EventStore};
use leadstream_domain::sequence::{Sequence, SequenceAction, SequenceCommand, SequenceError, SequenceEvent};
use serde::Serialize;
use sqlx::PgPool;
use std::sync::Arc;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::CommandMetadata;

/// Why a sequence command was not carried out.
#[derive(Debug, thiserror::Error)]
pub enum SequenceFailure {
    #[error("{0}")]
    Refused(SequenceError),
    #[error("sequence store: {0}")]
    Store(String),
}

/// Runs sequence commands and keeps the sequences' work queue beside their events.
#[derive(Clone)]
pub struct SequenceService {
    store: Arc<crate::event_store::EventStoreOf<Sequence>>,
    pool: PgPool,
}

/// A sequence as its work queue shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct SequenceView {
    pub sequence_id: Uuid,
    pub lead_id: Uuid,
    pub sequence_type: String,
    /// `sms` or `email`.
    pub channel: String,
    /// `active`, `completed` or `stopped`.
    pub status: String,
    pub stop_reason: Option<String>,
    pub started_at: DateTime<Utc>,
    pub next_touchpoint: Option<DateTime<Utc>>,
    pub touchpoints_remaining: i64,
    pub touchpoints: Vec<TouchpointView>,
}

/// One touchpoint: when it is due and whether it went out.
#[derive(Debug, Serialize, ToSchema, sqlx::FromRow)]
pub struct TouchpointView {
    pub index: i32,
    pub day: i32,
    pub due_at: DateTime<Utc>,
    /// `pending`, `sent` or `cancelled`.
    pub state: String,
    pub sent_at: Option<DateTime<Utc>>,
    /// A campaign step's own channel and message (else the sequence's channel, the default text).
    pub channel: Option<String>,
    pub message: Option<String>,
}

impl SequenceService {
    /// A service over `pool`'s event store and work queue.
    pub fn new(pool: PgPool) -> Self {
        Self {
            store: Arc::new(crate::event_store::event_store_of(pool.clone())),
            pool,
        }
    }

    /// The pool the work queue lives in.
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// Starts a sequence: its queue rows first (the scheduler ignores them until the stream
    /// exists), then `sequence.started`.
    pub async fn start(&self, command: SequenceCommand, metadata: &CommandMetadata) -> Result<Uuid, SequenceFailure> {
        let events = Sequence::default().decide(&command).map_err(SequenceFailure::Refused)?;
        let Some(SequenceEvent::Started(started)) = events.first().cloned() else {
            return Err(SequenceFailure::Store("a start must begin a sequence".into()));
        };
        let mut tx = self.pool.begin().await.map_err(store)?;
        sqlx::query(
            "INSERT INTO sequences (sequence_id, tenant_id, lead_id, sequence_type, channel, started_at, campaign_id)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(started.sequence_id)
        .bind(started.tenant_id.0)
        .bind(started.lead_id)
        .bind(&started.sequence_type)
        .bind(started.channel.as_str())
        .bind(started.started_at)
        .bind(started.campaign_id)
        .execute(&mut *tx)
        .await
        .map_err(store)?;
        let t = &started.touchpoints;
        let indexes: Vec<i32> = t.iter().map(|t| t.index as i32).collect();
        let days: Vec<i32> = t.iter().map(|t| t.day as i32).collect();
        let due: Vec<DateTime<Utc>> = t.iter().map(|t| t.due_at).collect();
        let channels: Vec<Option<&str>> = t.iter().map(|t| t.channel.map(|c| c.as_str())).collect();
        let subjects: Vec<Option<String>> = t.iter().map(|t| t.subject.clone()).collect();
        let messages: Vec<Option<String>> = t.iter().map(|t| t.message.clone()).collect();
        sqlx::query(
            "INSERT INTO sequence_touchpoints (sequence_id, idx, day, due_at, channel, subject, message)
             SELECT $1, i, d, u, c, s, m
               FROM unnest($2::int[], $3::int[], $4::timestamptz[], $5::text[], $6::text[], $7::text[]) AS t(i, d, u, c, s, m)",
        )
        .bind(started.sequence_id)
        .bind(&indexes)
        .bind(&days)
        .bind(&due)
        .bind(&channels)
        .bind(&subjects)
        .bind(&messages)
        .execute(&mut *tx)
        .await
        .map_err(store)?;
        tx.commit().await.map_err(store)?;
        let context = EventStoreAggregateContext {
            aggregate_id: started.sequence_id.to_string(),
            aggregate: Sequence::default(),
            current_sequence: 0,
            current_snapshot: None,
        };
        self.store
            .commit(events, context, metadata.to_map())
            .await
            .map_err(|e| SequenceFailure::Store(e.to_string()))?;
        Ok(started.sequence_id)
    }

    /// Runs `command` on an existing sequence, retrying lost races; returns the sequence after
    /// it and the events it appended.
    pub async fn execute(
        &self,
        sequence_id: Uuid,
        command: SequenceCommand,
        metadata: &CommandMetadata,
    ) -> Result<(Sequence, Vec<SequenceEvent>), SequenceFailure> {
        let id = sequence_id.to_string();
        for _ in 0..8 {
            let context = self
                .store
                .load_aggregate(&id)
                .await
                .map_err(|e| SequenceFailure::Store(e.to_string()))?;
            let events = context.aggregate.decide(&command).map_err(SequenceFailure::Refused)?;
            let mut after = context.aggregate.clone();
            for event in &events {
                cqrs_es::Aggregate::apply(&mut after, event.clone());
            }
            if events.is_empty() {
                return Ok((after, events));
            }
            match self.store.commit(events.clone(), context, metadata.to_map()).await {
                Ok(_) => {
                    self.record_status(sequence_id, &command.action, &after).await?;
                    return Ok((after, events));
                }
                Err(AggregateError::AggregateConflict) => continue,
                Err(other) => return Err(SequenceFailure::Store(other.to_string())),
            }
        }
        Err(SequenceFailure::Store(
            "too many concurrent writers on the sequence".into(),
        ))
    }

    /// Mirrors a finished or stopped sequence in the work queue.
    async fn record_status(&self, id: Uuid, action: &SequenceAction, after: &Sequence) -> Result<(), SequenceFailure> {
        let reason = match action {
            SequenceAction::Stop { reason } => Some(reason.clone()),
            _ => None,
        };
        let status = serde_json::to_value(after.status)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_else(|| "active".into());
        sqlx::query("UPDATE sequences SET status = $2, stop_reason = coalesce($3, stop_reason) WHERE sequence_id = $1")
            .bind(id)
            .bind(status)
            .bind(reason)
            .execute(&self.pool)
            .await
            .map_err(store)?;
        if matches!(action, SequenceAction::Stop { .. }) {
            // A row the scheduler holds is marked by the scheduler itself (the sequence now
            // refuses it); waiting for its lock here could wait on our own caller.
            sqlx::query(
                "UPDATE sequence_touchpoints SET state = 'cancelled'
                  WHERE (sequence_id, idx) IN (SELECT sequence_id, idx FROM sequence_touchpoints
                                                WHERE sequence_id = $1 AND state = 'pending'
                                                  FOR UPDATE SKIP LOCKED)",
            )
            .bind(id)
            .execute(&self.pool)
            .await
            .map_err(store)?;
        }
        Ok(())
    }

    /// The tenant's sequences (an agent's: of its leads), newest first.
    pub async fn list(
        &self,
        tenant: Uuid,
        agent: Option<Uuid>,
        lead_id: Option<Uuid>,
        status: Option<&str>,
        campaign_id: Option<Uuid>,
    ) -> Result<Vec<SequenceView>, sqlx::Error> {
        let rows: Vec<SequenceRow> = sqlx::query_as(
            "SELECT s.sequence_id, s.lead_id, s.sequence_type, s.channel, s.status, s.stop_reason, s.started_at
               FROM sequences s
              WHERE s.tenant_id = $1
                AND ($2::uuid IS NULL OR EXISTS (SELECT 1 FROM leads l WHERE l.id = s.lead_id AND l.assigned_to = $2))
                AND ($3::uuid IS NULL OR s.lead_id = $3)
                AND ($4::text IS NULL OR s.status = $4)
                AND ($5::uuid IS NULL OR s.campaign_id = $5)
                AND EXISTS (SELECT 1 FROM events e WHERE e.aggregate_type = 'sequence'
                             AND e.aggregate_id = s.sequence_id::text AND e.sequence = 1)
              ORDER BY s.started_at DESC, s.sequence_id DESC
              LIMIT 200",
        )
        .bind(tenant)
        .bind(agent)
        .bind(lead_id)
        .bind(status)
        .bind(campaign_id)
        .fetch_all(&self.pool)
        .await?;
        let mut views = vec![];
        for (sequence_id, lead_id, sequence_type, channel, status, stop_reason, started_at) in rows {
            let touchpoints: Vec<TouchpointView> = sqlx::query_as(
                "SELECT idx AS index, day, due_at, state, sent_at, channel, message FROM sequence_touchpoints
                  WHERE sequence_id = $1 ORDER BY idx",
            )
            .bind(sequence_id)
            .fetch_all(&self.pool)
            .await?;
            let pending: Vec<&TouchpointView> = touchpoints.iter().filter(|t| t.state == "pending").collect();
            views.push(SequenceView {
                sequence_id,
                lead_id,
                sequence_type,
                channel,
                status,
                stop_reason,
                started_at,
                next_touchpoint: pending.first().map(|t| t.due_at),
                touchpoints_remaining: pending.len() as i64,
                touchpoints,
            });
        }
        Ok(views)
    }

    /// One sequence of the tenant.
    pub async fn get(&self, tenant: Uuid, sequence_id: Uuid) -> Result<Option<SequenceView>, sqlx::Error> {
        let lead: Option<Uuid> =
            sqlx::query_scalar("SELECT lead_id FROM sequences WHERE sequence_id = $1 AND tenant_id = $2")
                .bind(sequence_id)
                .bind(tenant)
                .fetch_optional(&self.pool)
                .await?;
        let Some(lead) = lead else { return Ok(None) };
        let views = self.list(tenant, None, Some(lead), None, None).await?;
        Ok(views.into_iter().find(|v| v.sequence_id == sequence_id))
    }

    /// The active sequences of a lead.
    pub async fn active_of_lead(&self, tenant: Uuid, lead_id: Uuid) -> Result<Vec<Uuid>, sqlx::Error> {
        sqlx::query_scalar(
            "SELECT sequence_id FROM sequences WHERE tenant_id = $1 AND lead_id = $2 AND status = 'active'",
        )
        .bind(tenant)
        .bind(lead_id)
        .fetch_all(&self.pool)
        .await
    }
}

/// A `sequences` row: id, lead, type, channel, status, stop reason, start.
type SequenceRow = (Uuid, Uuid, String, String, String, Option<String>, DateTime<Utc>);

fn store(error: sqlx::Error) -> SequenceFailure {
    SequenceFailure::Store(error.to_string())
}
